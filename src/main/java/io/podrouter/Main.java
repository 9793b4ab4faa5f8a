package io.podrouter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code podrouter} command line. */
@Command(name = "podrouter", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Tenant-aware reverse proxy: routes each request to the pod where its tenant lives.",
        subcommands = {RunCommand.class, CheckCommand.class, DemoCommand.class, DirectoryCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0 || !RunCommand.isRunning()) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"podrouter " + version(), "Java " + Runtime.version()};
        }
    }
}
