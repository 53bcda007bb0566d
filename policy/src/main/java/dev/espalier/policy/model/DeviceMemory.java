package dev.espalier.policy.model;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/** How much memory the engine can still take on its device: free GPU memory, or this machine's RAM not used by us. */
public final class DeviceMemory {

    private DeviceMemory() {
    }

    /** Bytes free for new work on {@code device}; on the CPU, the machine's (or container's) memory less our RSS. */
    public static long available(Device device) {
        if (device.isGpu()) {
            MemoryUsage usage = CudaUtils.getGpuMemory(device);
            return usage.getMax() - usage.getCommitted();
        }
        long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        return total - (long) (ProcessMemory.rssMib() * (1 << 20));
    }
}
