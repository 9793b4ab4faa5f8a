package io.podrouter.fleet;

/** What a stream entry's writer put in a field, made fit for one log line: short, no control characters. */
final class LogSafe {
    private static final int MAX = 100;

    private LogSafe() {
    }

    static String clip(String s) {
        String clipped = s.length() > MAX ? s.substring(0, MAX) + "..." : s;
        return clipped.replaceAll("\\p{Cntrl}", "?");
    }
}
