module fifochan.dev/compat/v01

go 1.22

require (
	golang.org/x/sys v0.30.0
	google.golang.org/protobuf v1.36.6
)
