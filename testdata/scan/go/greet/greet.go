// Package greet is a local module the test binary depends on through a replace directive.
package greet

func Hello() string { return "hello from greet" }
