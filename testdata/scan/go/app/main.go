// A tiny program whose build info names a main module, one dependency and its local replacement.
package main

import (
	"fmt"

	"example.com/greet"
)

func main() { fmt.Println(greet.Hello()) }
