package io.podrouter.accesslog;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the access log's lines go, in chunks of whole lines: another process appending to the
 * same file, or the router's own log on stdout, never lands inside one of them. A file gets
 * chunks of about 64 KiB that end just before one of the file's 64 KiB boundaries, so every
 * write fills whole pages of the page cache but its last: the kernel zeroes a page's uncovered
 * part before the copy, and the log used to go out 8 KiB at a time (the JDK's stream encoder's
 * buffer), which made the zeroing a quarter of the writer's time. Stdout (a pipe, a terminal or
 * a file) gets writes of at most 4 KiB, which a pipe never interleaves with another writer's.
 *
 * <p>A write that fails loses its chunk's lines: the log says so once, and again with the count
 * when writing works again. Used by one thread.
 */
final class LogOutput implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogOutput.class);
    static final int FILE_BOUNDARY = 64 * 1024;
    static final int STREAM_CHUNK = 4096;
    /** Less room than this before a file's next boundary, and the chunk runs to the one after. */
    private static final int MIN_FILE_CHUNK = 4096;

    private final WritableByteChannel channel;
    private final FileChannel file;
    private final String name;
    private final ByteBuffer chunk;
    private long bufferedSince;
    private long pendingLines;
    private long lostLines;
    private boolean failing;

    /**
     * @param channel where the bytes go
     * @param file the same channel when it is a file this opened, whose chunks then end by its 64 KiB
     *     boundaries and which closing this closes; else null (stdout: neither)
     */
    LogOutput(WritableByteChannel channel, FileChannel file, String name) {
        this.channel = channel;
        this.file = file;
        this.name = name;
        this.chunk = ByteBuffer.allocateDirect(file != null ? FILE_BOUNDARY + MIN_FILE_CHUNK : STREAM_CHUNK);
        startChunk();
    }

    /** A file appended to, or stdout for null. */
    static LogOutput open(Path path) throws IOException {
        if (path == null) {
            return new LogOutput(new FileOutputStream(FileDescriptor.out).getChannel(), null, "stdout");
        }
        FileChannel c = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        return new LogOutput(c, c, path.toString());
    }

    /** Adds a line, newline included; writes the chunk first when the line does not fit in it. */
    void add(LogLine line) {
        int length = line.length();
        if (length > chunk.remaining()) {
            flush();
            if (length > chunk.remaining()) {
                // Longer than a chunk: on its own.
                pendingLines = 1;
                write(ByteBuffer.wrap(line.bytes(), 0, length));
                startChunk();
                return;
            }
        }
        if (chunk.position() == 0) {
            bufferedSince = System.nanoTime();
        }
        chunk.put(line.bytes(), 0, length);
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
            startChunk();
        }
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

    /** An empty chunk, which for a file ends at the file's next 64 KiB boundary (or the one after). */
    private void startChunk() {
        chunk.clear();
        if (file != null) {
            try {
                // Its position, not a count of our own: another process may append too, or truncate it.
                int room = FILE_BOUNDARY - (int) (file.position() % FILE_BOUNDARY);
                chunk.limit(room < MIN_FILE_CHUNK ? room + FILE_BOUNDARY : room);
            } catch (IOException e) {
                chunk.limit(FILE_BOUNDARY); // only the alignment is lost
            }
        }
    }

    @Override
    public void close() {
        flush();
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                log.warn("access log: cannot close {}: {}", name, e.toString());
            }
        }
    }
}
