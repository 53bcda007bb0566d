package dev.espalier.policy.lora;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose output is fixed by its published algorithm, so an
 * adapter initialised from a seed is the same on every JVM and can be rebuilt from the seed alone. (java.util.Random
 * would do too, but writing the twelve lines out makes the contract explicit.)
 */
final class SplitMix64 {

    private long state;

    SplitMix64(long seed) {
        this.state = seed;
    }

    long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** A seed for one module: the session seed mixed with the module path, so each module has its own stream. */
    static long forModule(long seed, String modulePath) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64
        for (int i = 0; i < modulePath.length(); i++) {
            h ^= modulePath.charAt(i);
            h *= 0x100000001b3L;
        }
        return new SplitMix64(seed ^ h).nextLong();
    }
}
