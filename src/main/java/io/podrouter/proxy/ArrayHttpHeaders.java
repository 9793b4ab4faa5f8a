package io.podrouter.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * The headers of an HTTP/1 message as one array of name/value pairs in arrival order, found by
 * scanning it. Netty's DefaultHttpHeaders is a hash map: for every message a 16-slot table, a
 * map object and a list head, and an entry object per header, all to look up a handful of
 * headers, which a scan that compares lengths first does in as few comparisons. Here a message
 * costs one object and one array. Names compare without case; names and values are validated as
 * DefaultHttpHeaders validates them (tokens; no CR, LF or other control characters in values), so
 * nothing that would split a header on the way out gets in.
 */
public final class ArrayHttpHeaders extends HttpHeaders {
    /** Headers of requests and responses. */
    public static final HttpHeadersFactory HEADERS = factory(false);
    /** Trailers: no Content-Length, Transfer-Encoding or Trailer among them. */
    public static final HttpHeadersFactory TRAILERS = factory(true);

    private static final int FIRST_CAPACITY = 8;
    private static final CharSequence[] NONE = new CharSequence[0];
    private static final short COLON_SPACE = (':' << 8) | ' ';
    private static final short CRLF = ('\r' << 8) | '\n';

    private final boolean trailers;
    /** Names at even indexes, each one's value after it. */
    private CharSequence[] pairs = NONE;
    private int size;

    private ArrayHttpHeaders(boolean trailers) {
        this.trailers = trailers;
    }

    private static HttpHeadersFactory factory(boolean trailers) {
        return new HttpHeadersFactory() {
            @Override
            public HttpHeaders newHeaders() {
                return new ArrayHttpHeaders(trailers);
            }

            @Override
            public HttpHeaders newEmptyHeaders() {
                return new ArrayHttpHeaders(trailers);
            }
        };
    }

    /** Writes every header as {@code name: value CRLF}, in order. */
    void encode(ByteBuf out) {
        for (int i = 0; i < size; i++) {
            CharSequence name = pairs[2 * i];
            CharSequence value = pairs[2 * i + 1];
            out.ensureWritable(name.length() + value.length() + 4);
            ByteBufUtil.writeAscii(out, name);
            out.writeShort(COLON_SPACE);
            ByteBufUtil.writeAscii(out, value);
            out.writeShort(CRLF);
        }
    }

    // ---------------------------------------------------------------- reading

    private int indexOf(CharSequence name, int from) {
        for (int i = from; i < size; i++) {
            if (sameName(pairs[2 * i], name)) {
                return i;
            }
        }
        return -1;
    }

    /** Names compare without case; the length first, since most names differ in it. */
    private static boolean sameName(CharSequence a, CharSequence b) {
        return a == b || a.length() == b.length() && AsciiString.contentEqualsIgnoreCase(a, b);
    }

    private CharSequence first(CharSequence name) {
        int i = indexOf(name, 0);
        return i < 0 ? null : pairs[2 * i + 1];
    }

    @Override
    public String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public String get(CharSequence name) {
        CharSequence value = first(name);
        return value == null ? null : value.toString();
    }

    @Override
    public Integer getInt(CharSequence name) {
        CharSequence value = first(name);
        if (value == null) {
            return null;
        }
        try {
            return value instanceof AsciiString ascii ? ascii.parseInt() : Integer.parseInt(value.toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer value = getInt(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Short getShort(CharSequence name) {
        Integer value = getInt(name);
        return value == null || value != value.shortValue() ? null : value.shortValue();
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short value = getShort(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        CharSequence value = first(name);
        Date date = value == null ? null : DateFormatter.parseHttpDate(value);
        return date == null ? null : date.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long value = getTimeMillis(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        int i = indexOf(name, 0);
        if (i < 0) {
            return Collections.emptyList();
        }
        int next = indexOf(name, i + 1);
        if (next < 0) {
            return Collections.singletonList(pairs[2 * i + 1].toString());
        }
        List<String> all = new ArrayList<>(4);
        for (; i >= 0; i = indexOf(name, i + 1)) {
            all.add(pairs[2 * i + 1].toString());
        }
        return all;
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        if (size == 0) {
            return Collections.emptyList();
        }
        List<Map.Entry<String, String>> entries = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            entries.add(new AbstractMap.SimpleImmutableEntry<>(pairs[2 * i].toString(), pairs[2 * i + 1].toString()));
        }
        return entries;
    }

    @Override
    public boolean contains(String name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, 0) >= 0;
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return contains((CharSequence) name, value, ignoreCase);
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            CharSequence v = pairs[2 * i + 1];
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(v, value) : AsciiString.contentEquals(v, value)) {
                return true;
            }
        }
        return false;
    }

    /** Whether any of the name's values, as a comma-separated list, holds {@code value} (trimmed). */
    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
            if (listHolds(pairs[2 * i + 1], value, ignoreCase)) {
                return true;
            }
        }
        return false;
    }

    private static boolean listHolds(CharSequence list, CharSequence wanted, boolean ignoreCase) {
        int n = list.length();
        int start = 0;
        while (start <= n) {
            int end = start;
            while (end < n && list.charAt(end) != ',') {
                end++;
            }
            int from = start;
            int to = end;
            while (from < to && isSpace(list.charAt(from))) {
                from++;
            }
            while (to > from && isSpace(list.charAt(to - 1))) {
                to--;
            }
            if (to - from == wanted.length() && regionEquals(list, from, wanted, ignoreCase)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    private static boolean regionEquals(CharSequence text, int from, CharSequence wanted, boolean ignoreCase) {
        for (int i = 0; i < wanted.length(); i++) {
            char a = text.charAt(from + i);
            char b = wanted.charAt(i);
            if (a != b && (!ignoreCase || AsciiString.toLowerCase(a) != AsciiString.toLowerCase(b))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < size; i++) {
            if (indexOf(pairs[2 * i], 0) == i) {
                names.add(pairs[2 * i].toString());
            }
        }
        return names;
    }

    @Override
    @Deprecated
    public Iterator<Map.Entry<String, String>> iterator() {
        return new Entries<String>() {
            @Override
            Map.Entry<String, String> entry(CharSequence name, CharSequence value) {
                return new AbstractMap.SimpleImmutableEntry<>(name.toString(), value.toString());
            }
        };
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Entries<CharSequence>() {
            @Override
            Map.Entry<CharSequence, CharSequence> entry(CharSequence name, CharSequence value) {
                return new AbstractMap.SimpleImmutableEntry<>(name, value);
            }
        };
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        Iterator<CharSequence> values = valueCharSequenceIterator(name);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return values.hasNext();
            }

            @Override
            public String next() {
                return values.next().toString();
            }

            @Override
            public void remove() {
                values.remove();
            }
        };
    }

    @Override
    public Iterator<CharSequence> valueCharSequenceIterator(CharSequence name) {
        return new Iterator<>() {
            private int next = indexOf(name, 0);
            private int last = -1;

            @Override
            public boolean hasNext() {
                return next >= 0;
            }

            @Override
            public CharSequence next() {
                if (next < 0) {
                    throw new NoSuchElementException();
                }
                last = next;
                next = indexOf(name, next + 1);
                return pairs[2 * last + 1];
            }

            @Override
            public void remove() {
                if (last < 0) {
                    throw new IllegalStateException();
                }
                removeAt(last);
                if (next > 0) {
                    next--;
                }
                last = -1;
            }
        };
    }

    /** Every header in order; {@code remove} removes the last one returned. */
    private abstract class Entries<T> implements Iterator<Map.Entry<T, T>> {
        private int next;
        private boolean removable;

        abstract Map.Entry<T, T> entry(CharSequence name, CharSequence value);

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Map.Entry<T, T> next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            removable = true;
            next++;
            return entry(pairs[2 * next - 2], pairs[2 * next - 1]);
        }

        @Override
        public void remove() {
            if (!removable) {
                throw new IllegalStateException();
            }
            removable = false;
            removeAt(--next);
        }
    }

    // ---------------------------------------------------------------- writing

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        validateName(name);
        append(name, text(value));
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        validateName(name);
        for (Object value : values) {
            append(name, text(value));
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return add(name, Short.toString(value));
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    /** Replaces the name's values with one; the first of them keeps its place (one scan, no move). */
    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        validateName(name);
        CharSequence text = text(value);
        int i = indexOf(name, 0);
        if (i < 0) {
            append(name, text);
        } else {
            pairs[2 * i] = name;
            pairs[2 * i + 1] = text;
            removeFrom(name, i + 1);
        }
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        validateName(name);
        List<CharSequence> texts = new ArrayList<>();
        for (Object value : values) {
            texts.add(text(value)); // all checked before anything changes
        }
        removeFrom(name, 0);
        for (CharSequence text : texts) {
            append(name, text);
        }
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, Integer.toString(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return set(name, Short.toString(value));
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeFrom(name, 0);
        return this;
    }

    @Override
    public HttpHeaders clear() {
        Arrays.fill(pairs, 0, 2 * size, null);
        size = 0;
        return this;
    }

    @Override
    public HttpHeaders copy() {
        ArrayHttpHeaders copy = new ArrayHttpHeaders(trailers);
        copy.pairs = size == 0 ? NONE : Arrays.copyOf(pairs, 2 * size);
        copy.size = size;
        return copy;
    }

    private void append(CharSequence name, CharSequence value) {
        if (2 * size == pairs.length) {
            pairs = Arrays.copyOf(pairs, Math.max(2 * FIRST_CAPACITY, 2 * pairs.length));
        }
        pairs[2 * size] = name;
        pairs[2 * size + 1] = value;
        size++;
    }

    /** Removes every header of that name at or after index {@code from}, keeping the others' order. */
    private void removeFrom(CharSequence name, int from) {
        int i = indexOf(name, from);
        if (i < 0) {
            return;
        }
        int kept = i;
        for (int j = i + 1; j < size; j++) {
            CharSequence n = pairs[2 * j];
            if (sameName(n, name)) {
                continue;
            }
            pairs[2 * kept] = n;
            pairs[2 * kept + 1] = pairs[2 * j + 1];
            kept++;
        }
        Arrays.fill(pairs, 2 * kept, 2 * size, null);
        size = kept;
    }

    private void removeAt(int index) {
        System.arraycopy(pairs, 2 * index + 2, pairs, 2 * index, 2 * (size - index - 1));
        size--;
        pairs[2 * size] = null;
        pairs[2 * size + 1] = null;
    }

    private void validateName(CharSequence name) {
        Objects.requireNonNull(name, "name");
        if (name.length() == 0) {
            throw new IllegalArgumentException("empty headers are not allowed");
        }
        int bad = HttpHeaderValidationUtil.validateToken(name);
        if (bad != -1) {
            throw new IllegalArgumentException("a header name can only contain \"token\" characters, but found invalid"
                    + " character 0x" + Integer.toHexString(name.charAt(bad)) + " at index " + bad + " of header '"
                    + name + "'.");
        }
        if (trailers && (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name))) {
            throw new IllegalArgumentException("prohibited trailing header: " + name);
        }
    }

    /** A value as the text it goes out as, checked. */
    private static CharSequence text(Object value) {
        Objects.requireNonNull(value, "value");
        CharSequence text;
        if (value instanceof CharSequence chars) {
            text = chars;
        } else if (value instanceof Date date) {
            text = DateFormatter.format(date);
        } else if (value instanceof Calendar calendar) {
            text = DateFormatter.format(calendar.getTime());
        } else {
            text = value.toString();
        }
        int bad = HttpHeaderValidationUtil.validateValidHeaderValue(text);
        if (bad != -1) {
            throw new IllegalArgumentException("a header value contains prohibited character 0x"
                    + Integer.toHexString(text.charAt(bad)) + " at index " + bad + '.');
        }
        return text;
    }
}
