package dev.espalier.policy.safetensors;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * One tensor entry of a safetensors header.
 *
 * @param begin byte offset of the data, relative to the end of the header
 * @param end   exclusive end offset, relative to the end of the header
 */
public record TensorInfo(String name, DataType dtype, Shape shape, long begin, long end) {

    public long byteSize() {
        return end - begin;
    }
}
