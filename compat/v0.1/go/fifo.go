package fifochan

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// Mkfifo creates a FIFO at path with exactly mode's permission bits,
// whatever the umask (0 means 0600).
func Mkfifo(path string, mode os.FileMode) error {
	if mode == 0 {
		mode = 0o600
	}
	if err := unix.Mkfifo(path, uint32(mode.Perm())); err != nil {
		return &fs.PathError{Op: "mkfifo", Path: path, Err: err}
	}
	// mkfifo applies the umask; set the bits the caller asked for.
	if err := unix.Fchmodat(unix.AT_FDCWD, path, uint32(mode.Perm()), 0); err != nil {
		return &fs.PathError{Op: "chmod", Path: path, Err: err}
	}
	return nil
}

// OpenWriteEnd opens the write end of the FIFO at path. It retries while
// no reader has the FIFO open (ENXIO), with a short backoff, until ctx
// ends. The file is non-blocking and uses Go's poller, so deadlines work.
// Options: Create, AllowOtherOwner.
func OpenWriteEnd(ctx context.Context, path string, opts ...Option) (*os.File, error) {
	cfg := newConfig(opts)
	st, err := checkPath(path, &cfg)
	if err != nil {
		return nil, err
	}
	backoff := 500 * time.Microsecond
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("waiting for a reader: %w", err)}
		}
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		if err == nil {
			return newFile(fd, path, st)
		}
		if err == unix.EINTR {
			continue
		}
		if err != unix.ENXIO {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		if timer == nil {
			timer = time.NewTimer(backoff)
		} else {
			timer.Reset(backoff)
		}
		select {
		case <-ctx.Done():
		case <-timer.C:
		}
		backoff = min(2*backoff, 20*time.Millisecond)
	}
}

// OpenReadEnd opens the read end of the FIFO at path and waits until a
// writer has written its first byte or a writer has come and gone, or ctx
// ends. The file is non-blocking and uses Go's poller, so deadlines work.
// Options: Create, AllowOtherOwner.
func OpenReadEnd(ctx context.Context, path string, opts ...Option) (*os.File, error) {
	cfg := newConfig(opts)
	f, err := openRead(path, &cfg)
	if err != nil {
		return nil, err
	}
	if err := waitReadable(ctx, f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// openRead opens the read end without waiting (never blocks).
func openRead(path string, cfg *config) (*os.File, error) {
	st, err := checkPath(path, cfg)
	if err != nil {
		return nil, err
	}
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return newFile(fd, path, st)
	}
}

// waitReadable waits, through Go's poller, until f has data or a hang-up.
// A fresh FIFO reader reads end of file while no writer has connected, so
// reading must not start before this.
func waitReadable(ctx context.Context, f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Unix(1, 0)) })
	err = rc.Read(func(fd uintptr) bool {
		p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, perr := unix.Poll(p, 0)
		return n > 0 || (perr != nil && perr != unix.EINTR && perr != unix.EAGAIN)
	})
	if !stop() {
		// ctx ended; the deadline may be set. Report the context error.
		return &fs.PathError{Op: "open", Path: f.Name(), Err: fmt.Errorf("waiting for a writer: %w", ctx.Err())}
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: f.Name(), Err: err}
	}
	return nil
}

// checkPath refuses unsafe paths and returns the FIFO's stat.
func checkPath(path string, cfg *config) (*unix.Stat_t, error) {
	refuse := func(kind error, format string, args ...any) (*unix.Stat_t, error) {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
	}
	dir := filepath.Dir(path)
	var dst unix.Stat_t
	if err := unix.Stat(dir, &dst); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: dir, Err: err}
	}
	if dst.Mode&0o022 != 0 && dst.Mode&unix.S_ISVTX == 0 {
		return refuse(ErrUnsafePath, "directory %s is writable by group or others and has no sticky bit", dir)
	}
	var st unix.Stat_t
	err := unix.Lstat(path, &st)
	if errors.Is(err, unix.ENOENT) && cfg.create {
		if err := Mkfifo(path, cfg.mode); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		err = unix.Lstat(path, &st)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFIFO:
	case unix.S_IFLNK:
		return refuse(ErrUnsafePath, "is a symbolic link")
	default:
		return refuse(ErrNotFIFO, "is a %s", typeName(st.Mode))
	}
	if uid := uint32(os.Geteuid()); st.Uid != uid && !cfg.anyOwner {
		return refuse(ErrUnsafePath, "owned by uid %d, not by this process's uid %d", st.Uid, uid)
	}
	return &st, nil
}

func typeName(m uint32) string {
	switch m & unix.S_IFMT {
	case unix.S_IFREG:
		return "regular file"
	case unix.S_IFDIR:
		return "directory"
	case unix.S_IFCHR:
		return "character device"
	case unix.S_IFBLK:
		return "block device"
	case unix.S_IFSOCK:
		return "socket"
	}
	return "unknown file type"
}

// newFile checks that fd is the FIFO that was checked by path, tries to
// enlarge the pipe, and wraps fd for Go's poller.
func newFile(fd int, path string, want *unix.Stat_t) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "fstat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO || st.Dev != want.Dev || st.Ino != want.Ino {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w: replaced while being opened", ErrUnsafePath)}
	}
	// Best effort: a larger pipe means fewer wake-ups.
	if size, err := unix.FcntlInt(uintptr(fd), unix.F_GETPIPE_SZ, 0); err == nil && size < pipeSize {
		unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, pipeSize)
	}
	return os.NewFile(uintptr(fd), path), nil
}
