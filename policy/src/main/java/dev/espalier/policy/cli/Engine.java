package dev.espalier.policy.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.espalier.policy.model.Precision;

/**
 * Engine settings shared by the commands: the device ({@code --device}, else $ESPALIER_DEVICE, else cpu; "gpu" is
 * the first CUDA device, untested here), the weights' type ({@code --dtype}, else $ESPALIER_DTYPE, else auto: see
 * {@link Precision}) and the intra-op thread count ({@code --threads}, else every core), set explicitly because
 * PyTorch's default differs between builds.
 */
final class Engine {

    private Engine() {
    }

    static int threads(Args args) {
        int threads = args.integer("threads", Runtime.getRuntime().availableProcessors());
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        return threads;
    }

    static NDManager start(Args args, int threads) {
        String device = args.string("device", System.getenv().getOrDefault("ESPALIER_DEVICE", "cpu"));
        if (!device.equals("cpu") && !device.startsWith("gpu")) {
            throw new IllegalArgumentException("--device must be cpu or gpu[N], got '" + device + "'");
        }
        if (args.has("dtype")) {
            String dtype = args.string("dtype");
            try {
                Precision.parse(dtype, Device.fromName(device));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + e.getMessage(), e);
            }
            System.setProperty(Precision.PROPERTY, dtype);
        }
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        NDManager manager = NDManager.newBaseManager(Device.fromName(device), "PyTorch");
        JniUtils.setNumThreads(threads);
        return manager;
    }
}
