package io.podrouter.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a map file in HAProxy's format: {@code <key> <backend>} per line, {@code #} comments, blank lines ignored. */
public final class MapFile {
    private MapFile() {
    }

    public static List<MapEntry> read(Path file, List<ConfigError> errors) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            errors.add(new ConfigError(file.toString(), 0, null, "cannot read map file: " + e.getMessage()));
            return List.of();
        }
        List<MapEntry> entries = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (content.isEmpty()) {
                continue;
            }
            String[] fields = content.split("\\s+");
            if (fields.length != 2) {
                errors.add(new ConfigError(file.toString(), i + 1, fields[0],
                        "expected '<key> <backend>', got '" + content + "'"));
                continue;
            }
            entries.add(new MapEntry(fields[0], fields[1], i + 1));
        }
        return entries;
    }
}
