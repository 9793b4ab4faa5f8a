package io.podrouter;

import io.netty.channel.epoll.Epoll;
import io.netty.util.internal.PlatformDependent;

/**
 * Run by {@link LauncherFlagsTest} in a JVM started with bin/jvm.sh's flags: loads Netty's native
 * transport and says whether Netty has sun.misc.Unsafe.
 */
public final class LauncherFlagsProbe {
    private LauncherFlagsProbe() {
    }

    public static void main(String[] args) {
        System.out.println("epoll " + Epoll.isAvailable() + " unsafe " + PlatformDependent.hasUnsafe());
    }
}
