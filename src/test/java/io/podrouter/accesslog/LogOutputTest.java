package io.podrouter.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How lines reach a file (in chunks ending on its 64 KiB boundaries) and a stream (whole lines, at most 4 KiB a write). */
class LogOutputTest {
    @TempDir
    Path dir;

    private static LogLine line(int i, int length) {
        String prefix = "line " + i + " ";
        return new LogLine().text(prefix + "x".repeat(length - prefix.length() - 1)).ascii('\n');
    }

    @Test
    void aFileGetsWholeLinesInChunksThatEndJustBeforeIts64KiBBoundariesAndFlushWritesTheRest() throws IOException {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "y".repeat(1000)); // an earlier run's lines: the first chunk fills up to the boundary
        StringBuilder expected = new StringBuilder("y".repeat(1000));
        long boundary = LogOutput.FILE_BOUNDARY;
        try (LogOutput out = LogOutput.open(file)) {
            long written = 1000;
            for (int i = 0; i < 2000; i++) {
                LogLine line = line(i, 100);
                out.add(line);
                expected.append(line);
                long size = Files.size(file);
                if (size != written) {
                    assertThat(boundary - size % boundary).as("after line %d", i).isLessThan(100);
                    assertThat(Files.readString(file)).as("after line %d", i).endsWith("\n");
                    written = size;
                }
            }
            assertThat(written).isBetween(3 * boundary - 100, 3 * boundary);
            assertThat(out.unwrittenFor(System.nanoTime())).isPositive();
            out.flush();
            assertThat(out.unwrittenFor(System.nanoTime())).isZero();
            assertThat(Files.readString(file)).isEqualTo(expected.toString());
            out.add(line(2000, 100));
            expected.append(line(2000, 100));
        }
        assertThat(Files.readString(file)).isEqualTo(expected.toString());
    }

    @Test
    void aLineLongerThanAChunkIsWrittenWhole() throws IOException {
        Path file = dir.resolve("access.log");
        try (LogOutput out = LogOutput.open(file)) {
            out.add(line(0, 100));
            out.add(line(1, 200_000));
            out.add(line(2, 100));
        }
        assertThat(Files.readAllLines(file)).extracting(String::length).containsExactly(99, 199_999, 99);
    }

    @Test
    void aFileWrittenByAnotherProcessTooKeepsEveryLineWhole() throws IOException {
        Path file = dir.resolve("access.log");
        try (LogOutput out = LogOutput.open(file);
             FileChannel other = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            for (int i = 0; i < 1000; i++) {
                out.add(line(i, 150));
                if (i % 300 == 0) {
                    out.flush();
                    other.write(ByteBuffer.wrap("another writer's line\n".getBytes(StandardCharsets.US_ASCII)));
                }
            }
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1004);
        assertThat(lines.stream().filter(l -> l.startsWith("line "))).hasSize(1000).allMatch(l -> l.length() == 149);
    }

    /** Records each write's bytes, as a pipe would receive them. */
    private static final class RecordingChannel implements WritableByteChannel {
        final List<String> writes = new ArrayList<>();
        boolean failing;

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (failing) {
                throw new IOException("No space left on device");
            }
            byte[] b = new byte[src.remaining()];
            src.get(b);
            writes.add(new String(b, StandardCharsets.UTF_8));
            return b.length;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aStreamGetsWholeLinesInWritesOfAtMost4KiB() {
        RecordingChannel pipe = new RecordingChannel();
        LogOutput out = new LogOutput(pipe, null, "stdout");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 500; i++) {
            LogLine line = line(i, 70 + i % 50);
            out.add(line);
            expected.write(line.bytes(), 0, line.length());
        }
        LogLine huge = line(500, 10_000);
        out.add(huge);
        expected.write(huge.bytes(), 0, huge.length());
        out.close();
        assertThat(String.join("", pipe.writes)).isEqualTo(expected.toString(StandardCharsets.UTF_8));
        assertThat(pipe.writes).allMatch(w -> w.endsWith("\n") && w.indexOf("line ") == 0);
        assertThat(pipe.writes.subList(0, pipe.writes.size() - 1)).allMatch(w -> w.length() <= LogOutput.STREAM_CHUNK);
        assertThat(pipe.writes.get(pipe.writes.size() - 1)).hasSize(10_000);
    }

    @Test
    void linesThatCannotBeWrittenAreLostWithoutStoppingTheLinesAfterThem() {
        RecordingChannel disk = new RecordingChannel();
        LogOutput out = new LogOutput(disk, null, "a full disk");
        disk.failing = true;
        for (int i = 0; i < 100; i++) {
            out.add(line(i, 100));
        }
        out.flush();
        disk.failing = false;
        out.add(line(100, 100));
        out.flush();
        assertThat(String.join("", disk.writes)).isEqualTo(line(100, 100).toString());
    }
}
