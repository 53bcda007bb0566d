package dev.espalier.policy.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsFileTest {

    @TempDir
    Path dir;

    @Test
    void roundTrip_keepsValuesShapesOrderAndMetadata() {
        Path file = dir.resolve("model.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.arange(6f).reshape(2, 3);
            NDArray b = manager.create(new float[] {-1.5f, 2.25f});
            new SafetensorsWriter().metadata("format", "pt").add("w.a", a).add("w.b", b).write(file);

            try (SafetensorsFile st = SafetensorsFile.open(file)) {
                assertEquals(java.util.List.of("w.a", "w.b"), java.util.List.copyOf(st.tensors().keySet()));
                assertEquals("pt", st.metadata().get("format"));
                NDArray readA = st.loadFloat32("w.a", manager);
                assertEquals(new Shape(2, 3), readA.getShape());
                assertArrayEquals(a.toFloatArray(), readA.toFloatArray());
                assertArrayEquals(new float[] {-1.5f, 2.25f}, st.loadFloat32("w.b", manager).toFloatArray());
            }
        }
    }

    @Test
    void loadFloat32_widensBf16AndF16Exactly() {
        float[] values = {1f, -2.5f, 0.15625f, 65504f};
        ByteBuffer bf16 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer f16 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bf16.putShort((short) (Float.floatToIntBits(v) >>> 16));
            f16.putShort(Float.floatToFloat16(v));
        }
        Path file = dir.resolve("half.safetensors");
        new SafetensorsWriter()
                .add("bf", DataType.BFLOAT16, new Shape(4), bf16.flip())
                .add("h", DataType.FLOAT16, new Shape(2, 2), f16.flip())
                .write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file); NDManager manager = NDManager.newBaseManager()) {
            // 65504 is not representable in bf16's 8-bit mantissa: it truncates to 65280.
            assertArrayEquals(new float[] {1f, -2.5f, 0.15625f, 65280f}, st.loadFloat32("bf", manager).toFloatArray());
            assertArrayEquals(values, st.loadFloat32("h", manager).toFloatArray());
        }
    }

    @Test
    void open_truncatedFile_namesFileAndTensor() throws IOException {
        Path file = dir.resolve("cut.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            new SafetensorsWriter().add("first", manager.ones(new Shape(4))).add("last", manager.ones(new Shape(64))).write(file);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(file) - 10);
        }
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().contains("cut.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("'last'"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void open_fileThatIsNotSafetensors_failsClearly() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"hidden_size\": 64, \"num_hidden_layers\": 2}");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("header length"), e.getMessage());
    }

    @Test
    void add_wrongByteCount_isRejected_andNothingIsWritten() {
        Path file = dir.resolve("never.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter();
        assertThrows(IllegalArgumentException.class,
                () -> writer.add("x", DataType.FLOAT32, new Shape(3), ByteBuffer.allocate(8)));
        assertFalse(Files.exists(file));
    }

    @Test
    void write_sameInputs_giveSameBytes() throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.arange(10f);
            new SafetensorsWriter().add("x", x).add("y", x.mul(2)).write(dir.resolve("1.safetensors"));
            new SafetensorsWriter().add("x", x).add("y", x.mul(2)).write(dir.resolve("2.safetensors"));
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("1.safetensors")), Files.readAllBytes(dir.resolve("2.safetensors")));
    }
}
