package dev.espalier.trainer.training;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Saved states as zip bytes (flat: file names only), for the database and for the adapter download. */
public final class StateArchive {

    private StateArchive() {
    }

    /** Zips the given files (name → content), in their order. */
    public static byte[] zip(Map<String, byte[]> files) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> file : files.entrySet()) {
                String name = file.getKey();
                byte[] content = file.getValue();
                CRC32 crc = new CRC32();
                crc.update(content);
                ZipEntry entry = new ZipEntry(name);
                entry.setTime(0); // the same files give the same bytes
                // Stored, not deflated: float32 weights hardly compress, and deflating them costs time every step.
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(content.length);
                entry.setCompressedSize(content.length);
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(content);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot zip " + files.keySet(), e);
        }
        return bytes.toByteArray();
    }

    /** Extracts a flat zip into {@code dir} (created); entries with a path are refused. */
    public static Path unzip(byte[] zipBytes, Path dir) {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(zipBytes))) {
            Files.createDirectories(dir);
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                String name = entry.getName();
                if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                    throw new IllegalArgumentException("state archive entry '" + name + "' is not a plain file name");
                }
                Files.copy(zip, dir.resolve(name));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unzip a state archive into " + dir, e);
        }
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
