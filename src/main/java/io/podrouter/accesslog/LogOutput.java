package io.podrouter.accesslog;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the access log's lines go, in chunks. A regular file gets chunks of 64 KiB that end on
 * the file's 64 KiB boundaries: each write then fills whole pages of the page cache, which the
 * kernel does not zero first, and carries some 270 lines. (Through the JDK's stream encoder the
 * log went out 8 KiB at a time, and the kernel's zeroing and copying of pages were most of what
 * the log cost.) A pipe or terminal, shared with the router's own log, gets whole lines in
 * writes of at most 4 KiB, which a pipe never interleaves with another writer's.
 *
 * <p>A write that fails loses its chunk's lines: the log says so once, and again with the count
 * when writing works again. Used by one thread.
 */
final class LogOutput implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogOutput.class);
    static final int FILE_CHUNK = 64 * 1024;
    static final int STREAM_CHUNK = 4096;

    private final WritableByteChannel channel;
    private final FileChannel file;
    private final String name;
    private final boolean owned;
    private final ByteBuffer chunk;
    private long bufferedSince;
    private long pendingLines;
    private long lostLines;
    private boolean failing;

    /**
     * @param channel where the bytes go
     * @param file the same channel when it is a regular file, whose chunks then end on its 64 KiB boundaries; else null
     * @param owned whether closing this closes the channel (not stdout)
     */
    LogOutput(WritableByteChannel channel, FileChannel file, String name, boolean owned) {
        this.channel = channel;
        this.file = file;
        this.name = name;
        this.owned = owned;
        this.chunk = ByteBuffer.allocateDirect(file != null ? FILE_CHUNK : STREAM_CHUNK);
        startChunk();
    }

    /** A file appended to, or stdout for null. */
    static LogOutput open(Path path) throws IOException {
        if (path != null) {
            FileChannel c = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            return new LogOutput(c, c, path.toString(), true);
        }
        FileChannel stdout = new FileOutputStream(FileDescriptor.out).getChannel();
        return new LogOutput(stdout, stdoutIsAFile() ? stdout : null, "stdout", false);
    }

    private static boolean stdoutIsAFile() {
        try {
            return Files.isRegularFile(Path.of("/dev/stdout"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Adds a line, newline included; writes what fills a chunk. */
    void add(LogLine line) {
        byte[] bytes = line.bytes();
        int length = line.length();
        if (file == null) {
            // Whole lines only.
            if (length > chunk.remaining()) {
                flush();
            }
            if (length > chunk.capacity()) {
                pendingLines = 1;
                write(ByteBuffer.wrap(bytes, 0, length));
                return;
            }
        }
        int from = 0;
        while (from < length) {
            if (chunk.position() == 0) {
                bufferedSince = System.nanoTime();
            }
            int n = Math.min(length - from, chunk.remaining());
            chunk.put(bytes, from, n);
            from += n;
            if (!chunk.hasRemaining()) {
                flush();
            }
        }
        pendingLines++;
    }

    /** Nanoseconds since the oldest line not yet written was added; 0 when all are written. */
    long unwrittenFor(long now) {
        return chunk.position() == 0 ? 0 : Math.max(1, now - bufferedSince);
    }

    /** Writes what is buffered. */
    void flush() {
        if (chunk.position() > 0) {
            chunk.flip();
            write(chunk);
        }
        startChunk();
    }

    private void write(ByteBuffer bytes) {
        try {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            if (failing) {
                failing = false;
                log.warn("access log: writing to {} again; {} lines were lost", name, lostLines);
                lostLines = 0;
            }
        } catch (IOException e) {
            lostLines += pendingLines;
            if (!failing) {
                failing = true;
                log.warn("access log: cannot write to {}: {}; lines are lost until it can", name, e.toString());
            }
        }
        pendingLines = 0;
    }

    /** An empty chunk, which for a file ends on the file's next 64 KiB boundary. */
    private void startChunk() {
        chunk.clear();
        if (file != null) {
            try {
                // Its position, not a count of our own: another process may append too, or truncate it.
                chunk.limit(FILE_CHUNK - (int) (file.position() % FILE_CHUNK));
            } catch (IOException e) {
                // Chunks keep their full size: only the alignment is lost.
            }
        }
    }

    @Override
    public void close() {
        flush();
        if (owned) {
            try {
                channel.close();
            } catch (IOException e) {
                log.warn("access log: cannot close {}: {}", name, e.toString());
            }
        }
    }
}
