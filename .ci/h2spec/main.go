// A minimal command line for h2spec's test runner (package github.com/summerwind/h2spec), used
// when the h2spec tree at hand lacks its own cmd/h2spec: it runs the server conformance suite
// (generic, http2, hpack) against one host and port, and exits 1 when any case failed.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/summerwind/h2spec"
	"github.com/summerwind/h2spec/config"
)

// Set by build.sh (-X main.VERSION, -X main.COMMIT), as upstream's Makefile does.
var (
	VERSION = "unknown"
	COMMIT  = "unknown"
)

func main() {
	c := &config.Config{}
	version := flag.Bool("version", false, "print the version and exit")
	flag.StringVar(&c.Host, "h", "127.0.0.1", "target host")
	flag.IntVar(&c.Port, "p", 0, "target port (default 80, or 443 with -t)")
	flag.StringVar(&c.Path, "P", "/", "target path")
	timeout := flag.Int("o", 2, "seconds allowed for each case")
	flag.IntVar(&c.MaxHeaderLen, "max-header-length", 4000, "largest header value sent")
	flag.BoolVar(&c.TLS, "t", false, "connect over TLS (ALPN h2)")
	flag.BoolVar(&c.Insecure, "k", false, "accept any server certificate")
	flag.BoolVar(&c.Strict, "S", false, "also run the cases marked strict")
	flag.BoolVar(&c.Verbose, "v", false, "verbose output")
	flag.StringVar(&c.JUnitReport, "j", "", "write a JUnit report to this file")
	flag.Parse()
	if *version {
		fmt.Printf("h2spec %s (commit %s)\n", VERSION, COMMIT)
		return
	}
	c.Timeout = time.Duration(*timeout) * time.Second
	c.Sections = flag.Args()
	if c.Port == 0 {
		c.Port = 80
		if c.TLS {
			c.Port = 443
		}
	}
	ok, err := h2spec.Run(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}
