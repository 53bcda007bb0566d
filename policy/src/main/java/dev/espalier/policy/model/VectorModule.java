package dev.espalier.policy.model;

/**
 * Whether this JVM was started with the Vector API ({@code --add-modules jdk.incubator.vector}). Checked before any
 * class that uses it is touched; without it generation stays on the engine path, which is said once in the log.
 */
final class VectorModule {

    private static final boolean PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static volatile boolean told;

    private VectorModule() {
    }

    static boolean present() {
        if (!PRESENT && !told) {
            told = true;
            System.getLogger(VectorModule.class.getName()).log(System.Logger.Level.INFO,
                    "jdk.incubator.vector is not in this JVM (start java with --add-modules jdk.incubator.vector): "
                            + "CPU decode steps run through the engine, several times slower");
        }
        return PRESENT;
    }
}
