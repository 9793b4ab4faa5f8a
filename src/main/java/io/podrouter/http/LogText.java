package io.podrouter.http;

/** Makes text from outside (a client, a directory, a stream's writer) safe and short for a log line. */
public final class LogText {
    private static final int MAX = 200;

    private LogText() {
    }

    public static String clip(CharSequence text) {
        if (text == null) {
            return "-";
        }
        int n = Math.min(text.length(), MAX);
        StringBuilder s = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            s.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (text.length() > MAX) {
            s.append("...");
        }
        return s.toString();
    }

    /** What went wrong, for a log line: the exception's message, or its class when it has none. */
    public static String why(Throwable cause) {
        String message = cause.getMessage();
        return message != null ? message : cause.getClass().getSimpleName();
    }
}
