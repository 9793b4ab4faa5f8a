package io.podrouter.config;

import java.util.List;

/** Thrown when a configuration is invalid; carries every error found, not only the first. */
public final class ConfigException extends Exception {
    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.size() == 1 ? errors.get(0).toString() : errors.size() + " configuration errors, first: " + errors.get(0));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
