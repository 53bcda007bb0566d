package dev.espalier.policy.model;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.ManagementFactory;

/**
 * How much memory the engine has for a generation or a step, beyond what it holds for good: the GPU's memory less the
 * weights, or this machine's (or container's) memory less the weights, their decode-ordered copy on the Java heap and
 * the heap itself. A fixed figure, not what is free at the moment: work in flight must not make settings that fit look
 * as if they did not.
 */
public final class DeviceMemory {

    private DeviceMemory() {
    }

    public static long forWork(Device device, long weightBytes) {
        if (device.isGpu()) {
            return CudaUtils.getGpuMemory(device).getMax() - weightBytes;
        }
        long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return total - 2 * weightBytes - Runtime.getRuntime().maxMemory();
    }
}
