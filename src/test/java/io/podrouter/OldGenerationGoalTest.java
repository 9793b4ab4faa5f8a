package io.podrouter;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.testing.LauncherShell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The old generation stays near its live size under a churn, on the collector bin/podrouter runs. */
class OldGenerationGoalTest {
    private static final long MIB = 1 << 20;

    @Test
    void theThresholdIsTheLiveSizePlusItsHeadroomAtLeastTheMinimumAndNeverPastTheMaximum() {
        assertThat(OldGenerationGoal.threshold(100 * MIB, 50, 8 * MIB, 1024 * MIB)).isEqualTo(150 * MIB);
        assertThat(OldGenerationGoal.threshold(4 * MIB, 50, 8 * MIB, 1024 * MIB)).isEqualTo(12 * MIB);
        assertThat(OldGenerationGoal.threshold(900 * MIB, 50, 8 * MIB, 1024 * MIB)).isEqualTo(1024 * MIB);
        assertThat(OldGenerationGoal.threshold(100 * MIB, 50, 8 * MIB, -1)).isEqualTo(150 * MIB);
    }

    @Test
    void underAChurnTheOldGenerationStaysNearItsLiveSize() throws Exception {
        // 16 MiB live and 800 MiB promoted and dropped, in a 512 MiB heap, on the java bin/podrouter
        // runs. With the goal: 16 MiB + 8 MiB, plus what one young collection promotes (measured:
        // 39). Without it, from JDK 24 on, the collector grows the old generation towards -Xmx
        // before its first full collection (measured on 25: 142-156 MiB, none); up to 23 its own
        // heuristics collect it sooner.
        String java = javaOfBinPodrouter();
        Churned with = churn(java, "50", 0, 0, "-XX:+UseParallelGC");
        assertThat(with.peakMib).as("with the goal").isLessThan(80);
        assertThat(with.fullCollections).isPositive();
        Churned without = churn(java, "off", 0, 0, "-XX:+UseParallelGC");
        if (featureVersion(java) >= 24) {
            assertThat(without.peakMib).as("without the goal").isGreaterThan(112);
            assertThat(without.fullCollections).isZero();
        }
    }

    @Test
    void growthSoonAfterACollectionWaitsForTheIntervalsEnd() throws Exception {
        // The churn (1-2 s) passes the goal again and again within the first 5 s; one collection
        // follows at their end (two or three if the churn runs past them, on a slow machine).
        Churned stopped = churn(javaOfBinPodrouter(), "50", 5, 0, "-XX:+UseParallelGC");
        assertThat(stopped.fullCollections).as("right after the churn, before the interval's end").isZero();
        Churned waited = churn(javaOfBinPodrouter(), "50", 5, 6, "-XX:+UseParallelGC");
        assertThat(waited.fullCollections).as("after the interval's end").isBetween(1L, 3L);
    }

    @Test
    void theGoalMovesUpByWhatTheSocketsOpenedSinceTheLastCollectionKeep() {
        assertThat(OldGenerationGoal.withSockets(150 * MIB, 10_000, 4096, 1024 * MIB)).isEqualTo(150 * MIB + 10_000 * 4096L);
        assertThat(OldGenerationGoal.withSockets(150 * MIB, -500, 4096, 1024 * MIB)).as("sockets closed").isEqualTo(150 * MIB);
        assertThat(OldGenerationGoal.withSockets(1000 * MIB, 10_000, 4096, 1024 * MIB)).isEqualTo(1024 * MIB);
    }

    @Test
    void aCollectionWaitsWhileSocketsOpenAtAThousandASecondOrMore() {
        long quarter = TimeUnit.MILLISECONDS.toNanos(250);
        assertThat(OldGenerationGoal.burst(250, quarter)).isTrue();
        assertThat(OldGenerationGoal.burst(249, quarter)).isFalse();
        assertThat(OldGenerationGoal.burst(10_000, 2 * quarter)).as("10,000 clients reconnecting").isTrue();
        assertThat(OldGenerationGoal.burst(0, quarter)).isFalse();
        assertThat(OldGenerationGoal.burst(10, 0)).as("no time measured").isFalse();
    }

    @Test
    void clientsConnectingAreNoReasonToCollect() throws Exception {
        // 10,000 connections keep 35 MiB, past the goal of 8 MiB more than the start's live size.
        assertThat(connect("0", "3")).as("without an allowance for sockets").isPositive();
        assertThat(connect(Long.toString(OldGenerationGoal.OLD_BYTES_PER_SOCKET), "3")).as("with it").isZero();
    }

    /** The full collections while 10,000 clients connect, and for {@code waitSeconds} after. */
    private static long connect(String bytesPerSocket, String waitSeconds) throws IOException, InterruptedException {
        List<String> command = List.of(javaOfBinPodrouter(), "-XX:+UseParallelGC", "-XX:GCTimeRatio=19",
                "-XX:+UseAdaptiveSizePolicyWithSystemGC", "-XX:MaxTenuringThreshold=0", "-Xms16m", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), OldGenerationConnections.class.getName(), bytesPerSocket,
                waitSeconds);
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the connections opened").isTrue();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("full (\\d+)").matcher(out);
        assertThat(m.find()).as("the child's report: %s", out).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void anotherCollectorIsLeftAlone() throws Exception {
        Churned g1 = churn(javaOfBinPodrouter(), "50", 0, 0, "-XX:+UseG1GC");
        assertThat(g1.fullCollections).as("no System.gc() under G1").isZero();
    }

    /** The java bin/jvm.sh picks (the newest installed), so that the test sees the collector users get. */
    private static String javaOfBinPodrouter() throws IOException, InterruptedException {
        return LauncherShell.after("command -v \"$podrouter_java\"");
    }

    private static int featureVersion(String java) throws IOException, InterruptedException {
        Process version = new ProcessBuilder(java, "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
        String out = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        version.waitFor();
        Matcher m = Pattern.compile("java\\.specification\\.version = (\\d+)").matcher(out);
        assertThat(m.find()).as("%s says its version", java).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private record Churned(long peakMib, long fullCollections) {
    }

    private static Churned churn(String java, String headroom, int intervalSeconds, int waitSeconds, String collector)
            throws IOException, InterruptedException {
        // bin/jvm.sh's collector flags, and every survivor of a young collection promoted at once:
        // a second of churn does to the old generation what minutes of new tenants do.
        List<String> command = new ArrayList<>(List.of(java, collector, "-XX:GCTimeRatio=19",
                "-XX:+UseAdaptiveSizePolicyWithSystemGC", "-XX:MaxTenuringThreshold=0", "-Xms16m", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), OldGenerationChurn.class.getName(),
                headroom, Integer.toString(intervalSeconds), Integer.toString(waitSeconds)));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the churn finished").isTrue();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("peak (\\d+) full (\\d+)").matcher(out);
        assertThat(m.find()).as("child printed its figures: %s", out).isTrue();
        return new Churned(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }
}
