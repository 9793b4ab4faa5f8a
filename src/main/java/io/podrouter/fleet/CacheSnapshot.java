package io.podrouter.fleet;

import io.podrouter.directory.RouteCache;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The snapshot file of cached directory answers: what a router writes at every stop and every
 * {@code snapshot-interval}, and reads back at start. Gzip (whose trailer checksum catches a
 * truncated or damaged file) around:
 * <pre>
 * "PODROUTER-CACHE" (15 bytes), version (int, 1), written at (long, epoch ms),
 * last stream entry applied (UTF, "" for none), entries (int), then per entry:
 * key (UTF), backend (UTF), fresh until (long, epoch ms; earlier than "written at" for an expired answer)
 * </pre>
 * Written to a temporary file beside it, synced, then renamed over it: a reader sees the old
 * snapshot or the new one, never half of one.
 */
public final class CacheSnapshot {
    private static final byte[] MAGIC = "PODROUTER-CACHE".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    /** More than any cache bound allows: a count past it means the file is not ours. */
    private static final int MAX_ENTRIES = 100_000_000;

    private CacheSnapshot() {
    }

    /** A snapshot as read: the last stream entry applied before it was written (or null), and the answers. */
    public record Contents(String lastStreamId, long writtenAtMillis, List<RouteCache.Saved> answers) {
    }

    /** Writes {@code answers} (fresh-for relative to {@code nowMillis}) and the stream position to {@code file}. */
    public static void write(Path file, String lastStreamId, List<RouteCache.Saved> answers, long nowMillis)
            throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile())) {
                GZIPOutputStream gzip = new GZIPOutputStream(fos, 64 * 1024);
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(gzip, 64 * 1024));
                out.write(MAGIC);
                out.writeInt(VERSION);
                out.writeLong(nowMillis);
                out.writeUTF(lastStreamId == null ? "" : lastStreamId);
                out.writeInt(answers.size());
                for (RouteCache.Saved a : answers) {
                    out.writeUTF(a.key());
                    out.writeUTF(a.backend());
                    out.writeLong(nowMillis + a.freshForMillis());
                }
                out.flush();
                gzip.finish();
                fos.getFD().sync();
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads {@code file}; the answers' fresh-for is relative to {@code nowMillis}.
     *
     * @return null when there is no such file
     * @throws IOException saying why the file cannot be used (empty, truncated, damaged, foreign, another version)
     */
    public static Contents read(Path file, long nowMillis) throws IOException {
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 64 * 1024)))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a podrouter cache snapshot");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException("snapshot version " + version + ", this podrouter reads version " + VERSION);
            }
            long writtenAt = in.readLong();
            String lastId = in.readUTF();
            if (!lastId.isEmpty() && !lastId.matches("\\d{1,20}-\\d{1,20}")) {
                throw new IOException("not a stream entry ID: '" + lastId.replaceAll("\\p{Cntrl}", "?") + "'");
            }
            int count = in.readInt();
            if (count < 0 || count > MAX_ENTRIES) {
                throw new IOException("implausible entry count " + count);
            }
            List<RouteCache.Saved> answers = new ArrayList<>(Math.min(count, 1 << 20));
            Map<String, String> backends = new HashMap<>(); // a few pods: one string each
            for (int i = 0; i < count; i++) {
                String key = in.readUTF();
                String backend = backends.computeIfAbsent(in.readUTF(), b -> b);
                answers.add(new RouteCache.Saved(key, backend, in.readLong() - nowMillis));
            }
            if (in.read() != -1) { // also makes gzip check its trailer (length and CRC)
                throw new IOException("data after the last entry");
            }
            return new Contents(lastId.isEmpty() ? null : lastId, writtenAt, answers);
        } catch (EOFException e) {
            throw new IOException("truncated (ends before its last entry)");
        } catch (java.util.zip.ZipException e) {
            throw new IOException("damaged or not a snapshot (" + e.getMessage() + ")");
        }
    }
}
