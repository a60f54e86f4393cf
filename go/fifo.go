package fifochan

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Mkfifo creates a FIFO at path with exactly mode's permission bits,
// whatever the umask (0 means 0600). The FIFO is created with no
// permissions at all; the mode is then set through a descriptor of the
// new FIFO (O_PATH, opened without following symbolic links), never
// through the path, so a path swapped for a symbolic link after mkfifo(2)
// cannot redirect the chmod. If the path no longer names a FIFO of this
// user by then, Mkfifo fails with ErrUnsafePath.
func Mkfifo(path string, mode os.FileMode) error {
	if mode&^os.ModePerm != 0 {
		return &fs.PathError{Op: "mkfifo", Path: path, Err: fmt.Errorf("mode %#o is not permission bits", uint32(mode))}
	}
	if mode == 0 {
		mode = DefaultMode
	}
	if err := unix.Mkfifo(path, 0); err != nil {
		return &fs.PathError{Op: "mkfifo", Path: path, Err: err}
	}
	fd, err := unix.Open(path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		if err == unix.ELOOP {
			err = fmt.Errorf("%w: replaced by a symbolic link after mkfifo", ErrUnsafePath)
		}
		return &fs.PathError{Op: "mkfifo", Path: path, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return &fs.PathError{Op: "mkfifo", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFIFO || st.Uid != uint32(os.Geteuid()) {
		return &fs.PathError{Op: "mkfifo", Path: path, Err: fmt.Errorf("%w: replaced after mkfifo", ErrUnsafePath)}
	}
	if err := fchmodPath(fd, uint32(mode.Perm())); err != nil {
		return &fs.PathError{Op: "chmod", Path: path, Err: err}
	}
	return nil
}

// fchmodPath sets the mode of the file an O_PATH descriptor refers to:
// fchmodat2(fd, "", AT_EMPTY_PATH) where the kernel has it (Linux 6.6),
// else chmod of /proc/self/fd/N, the descriptor's own magic link.
func fchmodPath(fd int, mode uint32) error {
	if !forceProcChmod {
		err := unix.Fchmodat(fd, "", mode, unix.AT_EMPTY_PATH)
		if err == nil || (err != unix.ENOSYS && err != unix.EOPNOTSUPP && err != unix.EINVAL && err != unix.EBADF) {
			return err
		}
	}
	return unix.Fchmodat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), mode, 0)
}

// forceProcChmod makes fchmodPath use /proc/self/fd (tests of that path).
var forceProcChmod bool

// OpenWriteEnd opens the write end of the FIFO at path, creating it if
// missing (CreateIfMissing, Mode). It retries while no reader has the FIFO
// open (ENXIO), with a short backoff, until ctx ends. The file is
// non-blocking and uses Go's poller, so deadlines work.
func OpenWriteEnd(ctx context.Context, path string, opts ...OpenOption) (*os.File, error) {
	cfg, err := newOpenConfig(opts)
	if err != nil {
		return nil, err
	}
	return openWrite(ctx, path, &cfg)
}

func openWrite(ctx context.Context, path string, cfg *openConfig) (*os.File, error) {
	backoff := 200 * time.Microsecond
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
		st, err := checkPath(path, cfg, cfg.create)
		if err != nil {
			return nil, err
		}
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		if err == nil {
			return newFile(fd, path, st, cfg)
		}
		if err == unix.EINTR {
			continue
		}
		if err != unix.ENXIO && err != unix.ENOENT {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		// No reader yet (or the FIFO was just removed): wait and check again.
		if timer == nil {
			timer = time.NewTimer(backoff)
		} else {
			timer.Reset(backoff)
		}
		select {
		case <-ctx.Done():
		case <-timer.C:
		}
		backoff = min(2*backoff, 10*time.Millisecond)
	}
}

// OpenReadEnd opens the read end of the FIFO at path, creating it if
// missing, takes the FIFO's exclusive reader lock (ErrFIFOBusy if another
// reader holds it; see ExclusiveReader), and waits until a writer has
// written its first byte or a writer has come and gone, or ctx ends. The
// file is non-blocking and uses Go's poller, so deadlines work. The lock
// lasts as long as the file is open.
func OpenReadEnd(ctx context.Context, path string, opts ...OpenOption) (*os.File, error) {
	cfg, err := newOpenConfig(opts)
	if err != nil {
		return nil, err
	}
	f, _, err := openRead(path, &cfg, cfg.create)
	if err != nil {
		return nil, err
	}
	if err := waitReadable(ctx, f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// openRead opens the read end without waiting (it never blocks) and takes
// the exclusive lock if cfg says so.
func openRead(path string, cfg *openConfig, create bool) (*os.File, *unix.Stat_t, error) {
	st, err := checkPath(path, cfg, create)
	if err != nil {
		return nil, nil, err
	}
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		if cfg.exclusive {
			if err := lockReader(fd, path, st); err != nil {
				unix.Close(fd)
				return nil, nil, err
			}
		}
		f, err := newFile(fd, path, st, cfg)
		return f, st, err
	}
}

// openMore opens another read descriptor of the FIFO at path without a
// lock, for a follower that holds the lock on another descriptor of the
// same FIFO. It fails if path no longer names that FIFO.
func openMore(path string, cfg *openConfig, want *unix.Stat_t) (*os.File, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		return newFile(fd, path, want, cfg)
	}
}

// lockReader takes the exclusive reader lock on fd (design-1.0 §2.8).
func lockReader(fd int, path string, st *unix.Stat_t) error {
	for {
		err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		switch err {
		case nil:
			return nil
		case unix.EINTR:
			continue
		case unix.EWOULDBLOCK:
			return &BusyError{Path: path, PID: lockHolder(st)}
		}
		return &fs.PathError{Op: "flock", Path: path, Err: err}
	}
}

// lockHolder returns the pid /proc/locks names for a flock on the file st
// describes, or 0.
func lockHolder(st *unix.Stat_t) int {
	f, err := os.Open("/proc/locks")
	if err != nil {
		return 0
	}
	defer f.Close()
	want := fmt.Sprintf("%02x:%02x:%d", unix.Major(st.Dev), unix.Minor(st.Dev), st.Ino)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  WRITE 4242 00:1a:1234 0 EOF"; waiters have "->".
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] != "FLOCK" || fields[5] != want {
			continue
		}
		if pid, err := strconv.Atoi(fields[4]); err == nil && pid > 0 {
			return pid
		}
	}
	return 0
}

// waitReadable waits, through Go's poller, until f has data or a hang-up.
// A fresh FIFO reader reads end of file while no writer has connected, so
// reading must not start before this.
func waitReadable(ctx context.Context, f *os.File) error {
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Unix(1, 0)) })
	err := pollReadable(f)
	if !stop() {
		// ctx ended; the deadline may be set. Report the context error.
		return &fs.PathError{Op: "open", Path: f.Name(), Err: fmt.Errorf("waiting for a writer: %w", ctx.Err())}
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: f.Name(), Err: err}
	}
	return nil
}

// pollReadable waits until f is readable or hung up, or f's read deadline
// passes (os.ErrDeadlineExceeded).
func pollReadable(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var perr error
	err = rc.Read(func(fd uintptr) bool {
		p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, e := unix.Poll(p, 0)
		if e != nil && e != unix.EINTR && e != unix.EAGAIN {
			perr = e
			return true
		}
		return n > 0
	})
	if err == nil {
		err = perr
	}
	return err
}

// checkPath refuses unsafe paths, creates a missing FIFO if create is
// set, and returns the FIFO's stat.
func checkPath(path string, cfg *openConfig, create bool) (*unix.Stat_t, error) {
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
	if errors.Is(err, unix.ENOENT) && create {
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
// enlarge the pipe, and wraps fd for Go's poller. It closes fd on failure.
func newFile(fd int, path string, want *unix.Stat_t, cfg *openConfig) (*os.File, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "fstat", Path: path, Err: err}
	}
	if !sameFile(&st, want) {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("%w: replaced while being opened", ErrUnsafePath)}
	}
	// Best effort: a larger pipe means fewer wake-ups.
	if cfg.pipeSize > 0 {
		if size, err := unix.FcntlInt(uintptr(fd), unix.F_GETPIPE_SZ, 0); err == nil && size < cfg.pipeSize {
			unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, cfg.pipeSize)
		}
	}
	return os.NewFile(uintptr(fd), path), nil
}

func sameFile(st, want *unix.Stat_t) bool {
	return st.Mode&unix.S_IFMT == unix.S_IFIFO && st.Dev == want.Dev && st.Ino == want.Ino
}
