package io.podrouter.accesslog;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One access-log line, built as UTF-8 bytes in place. The writer formats each record straight
 * into bytes: going through a StringBuilder and a charset encoder copied every line twice more,
 * on the core the event loop needs.
 */
final class LogLine {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX_UPPER = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes = new byte[512];
    private int length;

    void clear() {
        length = 0;
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    /** A character known to be ASCII (the format's own punctuation). */
    LogLine ascii(char c) {
        room(1);
        bytes[length++] = (byte) c;
        return this;
    }

    LogLine bytes(byte[] b) {
        room(b.length);
        System.arraycopy(b, 0, bytes, length, b.length);
        length += b.length;
        return this;
    }

    /** A string as UTF-8. */
    LogLine text(String s) {
        int n = s.length();
        room(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                // The rare path: over what this loop wrote, since length has not moved yet.
                return bytes(s.getBytes(StandardCharsets.UTF_8));
            }
            bytes[length + i] = (byte) c;
        }
        length += n;
        return this;
    }

    /** A string, or "-" for none. */
    LogLine textOrDash(String s) {
        return s == null ? ascii('-') : text(s);
    }

    LogLine number(long n) {
        if (n < 0) {
            if (n == Long.MIN_VALUE) {
                return text(Long.toString(n));
            }
            ascii('-');
            n = -n;
        }
        int digits = 1;
        for (long rest = n / 10; rest > 0; rest /= 10) {
            digits++;
        }
        room(digits);
        for (int i = length + digits - 1; i >= length; i--) {
            bytes[i] = (byte) ('0' + n % 10);
            n /= 10;
        }
        length += digits;
        return this;
    }

    /**
     * Request text from a client, safe for a line-based log: no spaces to split on, no control
     * characters, no quote to end the quoted request; each such character becomes %XX.
     */
    LogLine cleaned(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return nonAscii(s, i, true);
            }
            cleanedChar(c);
        }
        return this;
    }

    /** A JSON string value (quoted and escaped), or null for none. */
    LogLine jsonString(String s) {
        if (s == null) {
            return bytes(NULL);
        }
        ascii('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                nonAscii(s, i, false);
                break;
            }
            jsonChar(c);
        }
        return ascii('"');
    }

    private void cleanedChar(char c) {
        if (c <= 0x20 || c == 0x7f || c == '"') {
            ascii('%').ascii((char) HEX_UPPER[c >> 4]).ascii((char) HEX_UPPER[c & 0xf]);
        } else {
            ascii(c);
        }
    }

    private void jsonChar(char c) {
        if (c == '"' || c == '\\') {
            ascii('\\').ascii(c);
        } else if (c < 0x20 || c == 0x7f) {
            ascii('\\').ascii('u').ascii('0').ascii('0').ascii((char) HEX[c >> 4]).ascii((char) HEX[c & 0xf]);
        } else {
            ascii(c);
        }
    }

    /**
     * The rest of {@code s} from {@code from}, where a non-ASCII character is: the rare path.
     * Characters at or above 0x80 are never escaped, only encoded.
     */
    private LogLine nonAscii(String s, int from, boolean cleaned) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (cleaned) {
                    cleanedChar(c);
                } else {
                    jsonChar(c);
                }
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes(s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                i++;
            } else {
                // A lone surrogate encodes as '?', as the JDK's encoder does.
                bytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return this;
    }

    @Override
    public String toString() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
