/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * /dev/liveupdate: keep memfds across a kexec reboot, in sessions.
 *
 * The same binary interface as the Live Update Orchestrator of mainline
 * Linux (6.19 and later), so that programs written for it run unmodified;
 * here it is built on PKRAM (Documentation/userspace-api/liveupdate.rst).
 *
 * Every ioctl is _IO(LIVEUPDATE_IOCTL_TYPE, nr) and takes a pointer to a
 * struct whose first __u32 is its size as the caller compiled it. The
 * kernel accepts a larger struct if every byte it does not know is zero
 * (else E2BIG), and refuses one too small for the fields it needs (EINVAL).
 *
 * Errnos: ENOTTY another ioctl type, or a known command number with size
 * or direction bits; EINVAL a command number past the known ones, or a
 * field is wrong; E2BIG non-zero bytes the kernel does not know;
 * EOPNOTSUPP a known field has a value not supported; ENOENT no such token
 * or session; ENOMEM; EOVERFLOW arithmetic overflow. Some commands add
 * their own (Documentation/userspace-api/liveupdate.rst).
 */
#ifndef _UAPI_LINUX_LIVEUPDATE_H
#define _UAPI_LINUX_LIVEUPDATE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define LIVEUPDATE_IOCTL_TYPE		0xBA

/* A session name's buffer: up to 63 bytes and the terminating NUL. */
#define LIVEUPDATE_SESSION_NAME_LENGTH	64

/* Commands on /dev/liveupdate */
enum {
	LIVEUPDATE_CMD_BASE = 0x00,
	LIVEUPDATE_CMD_CREATE_SESSION = LIVEUPDATE_CMD_BASE,
	LIVEUPDATE_CMD_RETRIEVE_SESSION = 0x01,
};

/* Commands on a session's file descriptor */
enum {
	LIVEUPDATE_CMD_SESSION_BASE = 0x40,
	LIVEUPDATE_CMD_SESSION_PRESERVE_FD = LIVEUPDATE_CMD_SESSION_BASE,
	LIVEUPDATE_CMD_SESSION_RETRIEVE_FD = 0x41,
	LIVEUPDATE_CMD_SESSION_FINISH = 0x42,
	LIVEUPDATE_CMD_SESSION_GET_NAME = 0x43,
};

/**
 * struct liveupdate_ioctl_create_session - start a session for the next kernel
 * @size: sizeof(struct liveupdate_ioctl_create_session)
 * @fd: out: the session's file descriptor (close-on-exec). Closing it
 *	before the kexec gives up everything preserved in the session.
 * @name: in: the session's name, NUL-terminated, 1 to 63 bytes; EEXIST if
 *	a session of this name is being prepared already
 */
struct liveupdate_ioctl_create_session {
	__u32 size;
	__s32 fd;
	__u8 name[LIVEUPDATE_SESSION_NAME_LENGTH];
};

#define LIVEUPDATE_IOCTL_CREATE_SESSION					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_CREATE_SESSION)

/**
 * struct liveupdate_ioctl_retrieve_session - take a session the last kernel kept
 * @size: sizeof(struct liveupdate_ioctl_retrieve_session)
 * @fd: out: the session's file descriptor (close-on-exec)
 * @name: in: the name it was created with; ENOENT if there is no such
 *	incoming session, EINVAL if it is retrieved already
 */
struct liveupdate_ioctl_retrieve_session {
	__u32 size;
	__s32 fd;
	__u8 name[LIVEUPDATE_SESSION_NAME_LENGTH];
};

#define LIVEUPDATE_IOCTL_RETRIEVE_SESSION				\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_RETRIEVE_SESSION)

/**
 * struct liveupdate_session_preserve_fd - keep a file for the next kernel
 * @size: sizeof(struct liveupdate_session_preserve_fd)
 * @fd: in: the file: a memfd (not a hugetlbfs one)
 * @token: in: the caller's name for it, unique in the session
 *
 * From here on the file's size cannot change (EPERM). Its contents are kept
 * as they are when the kernel kexecs, in place.
 */
struct liveupdate_session_preserve_fd {
	__u32 size;
	__s32 fd;
	__aligned_u64 token;
};

#define LIVEUPDATE_SESSION_PRESERVE_FD					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_PRESERVE_FD)

/**
 * struct liveupdate_session_retrieve_fd - take a file back after the kexec
 * @size: sizeof(struct liveupdate_session_retrieve_fd)
 * @fd: out: a new close-on-exec memfd with the file's contents, size, file
 *	position and seals
 * @token: in: the token it was preserved with
 */
struct liveupdate_session_retrieve_fd {
	__u32 size;
	__s32 fd;
	__aligned_u64 token;
};

#define LIVEUPDATE_SESSION_RETRIEVE_FD					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_RETRIEVE_FD)

/**
 * struct liveupdate_session_finish - end a retrieved session
 * @size: sizeof(struct liveupdate_session_finish)
 * @reserved: must be zero
 *
 * Files of the session not retrieved are freed. If it fails, nothing is.
 */
struct liveupdate_session_finish {
	__u32 size;
	__u32 reserved;
};

#define LIVEUPDATE_SESSION_FINISH					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_FINISH)

/**
 * struct liveupdate_session_get_name - the session's name
 * @size: sizeof(struct liveupdate_session_get_name)
 * @reserved: must be zero
 * @name: out: the name, NUL-terminated
 */
struct liveupdate_session_get_name {
	__u32 size;
	__u32 reserved;
	__u8 name[LIVEUPDATE_SESSION_NAME_LENGTH];
};

#define LIVEUPDATE_SESSION_GET_NAME					\
	_IO(LIVEUPDATE_IOCTL_TYPE, LIVEUPDATE_CMD_SESSION_GET_NAME)

#endif /* _UAPI_LINUX_LIVEUPDATE_H */
