// A real vim25 endpoint for the test suite: govmomi's vCenter simulator (simulator.VPX()) on a
// loopback port. It prints one JSON line, {"url": ..., "vms": [...]} (the SDK URL without
// credentials and the VM morefs of its inventory), then serves until its standard input closes
// (the JVM that started it went away) or it gets SIGINT/SIGTERM.
//
// Built in GOPATH mode against Debian's golang-github-vmware-govmomi-dev (support/Vcsim in the tests):
//   GOPATH=/usr/share/gocode GO111MODULE=off go build -o target/vcsim/vcsim src/test/go/vcsim/main.go
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	username := flag.String("username", "svc-vcsim", "the only user name Login accepts")
	password := flag.String("password", "", "the only password Login accepts")
	flag.Parse()

	model := simulator.VPX()
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, "vcsim: cannot create the inventory:", err)
		os.Exit(1)
	}
	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(*username, *password)}
	server := model.Service.NewServer()

	var vms []string
	for _, vm := range simulator.Map.All("VirtualMachine") {
		vms = append(vms, vm.Reference().Value)
	}
	sort.Strings(vms)
	sdk := *server.URL
	sdk.User = nil
	line, _ := json.Marshal(map[string]interface{}{"url": sdk.String(), "vms": vms})
	fmt.Println(string(line))

	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin) // returns when the parent closes our standard input or dies
		close(done)
	}()
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-done:
	case <-signals:
	}
	server.Close()
	model.Remove()
}
