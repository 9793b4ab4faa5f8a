package io.podrouter.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A child process's stdout, read line by line on a thread of its own so that the test can wait for lines with a deadline. */
public final class ProcessLines {
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    public ProcessLines(Process process) {
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // The process went away: the lines read so far are what there is.
            }
        }, "child-stdout");
        reader.start();
    }

    /** The next line, or null when none comes before {@code deadline} (a System.nanoTime() value). */
    public String next(long deadline) throws InterruptedException {
        return lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    /** Once the process has ended: waits up to {@code millis} for the reader to finish, then moves every line left into {@code to}. */
    public void drainTo(Collection<String> to, long millis) throws InterruptedException {
        reader.join(millis);
        lines.drainTo(to);
    }
}
