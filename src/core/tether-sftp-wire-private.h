/* tether-sftp-wire-private.h: the SFTP v3 wire format (draft-ietf-secsh-filexfer-02) as plain
 * functions over byte buffers: requests are encoded into GBytes, replies decoded in place.
 * Nothing here does I/O; the client and the fuzzer (tests/fuzz/fuzz-sftp.c) call it. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* OpenSSH's limit for one message (SFTP_MAX_MSG_LENGTH is 256 KiB, and a READ of 255 KiB
 * plus headers has to fit with room to spare); what we send never exceeds this. */
#define TETHER_SFTP_MAX_MESSAGE 261120
/* Replies longer than this are refused: no sane server sends more, and a hostile length
 * must not make us allocate without bound. */
#define TETHER_SFTP_MAX_REPLY (256 * 1024)
/* The largest READ we ask for: its DATA reply fits in TETHER_SFTP_MAX_REPLY. */
#define TETHER_SFTP_MAX_IO (255 * 1024)
/* The largest WRITE: with its header (handle up to 256 bytes) within TETHER_SFTP_MAX_MESSAGE. */
#define TETHER_SFTP_MAX_WRITE (TETHER_SFTP_MAX_MESSAGE - 1024)
#define TETHER_SFTP_VERSION 3

typedef enum {
  TETHER_SFTP_INIT = 1,
  TETHER_SFTP_VERSION_MSG = 2,
  TETHER_SFTP_OPEN = 3,
  TETHER_SFTP_CLOSE = 4,
  TETHER_SFTP_READ = 5,
  TETHER_SFTP_WRITE = 6,
  TETHER_SFTP_LSTAT = 7,
  TETHER_SFTP_FSTAT = 8,
  TETHER_SFTP_SETSTAT = 9,
  TETHER_SFTP_FSETSTAT = 10,
  TETHER_SFTP_OPENDIR = 11,
  TETHER_SFTP_READDIR = 12,
  TETHER_SFTP_REMOVE = 13,
  TETHER_SFTP_MKDIR = 14,
  TETHER_SFTP_RMDIR = 15,
  TETHER_SFTP_REALPATH = 16,
  TETHER_SFTP_STAT = 17,
  TETHER_SFTP_RENAME = 18,
  TETHER_SFTP_READLINK = 19,
  TETHER_SFTP_SYMLINK = 20,
  TETHER_SFTP_STATUS = 101,
  TETHER_SFTP_HANDLE = 102,
  TETHER_SFTP_DATA = 103,
  TETHER_SFTP_NAME = 104,
  TETHER_SFTP_ATTRS = 105,
  TETHER_SFTP_EXTENDED = 200,
  TETHER_SFTP_EXTENDED_REPLY = 201,
} TetherSftpType;

typedef enum {
  TETHER_SFTP_FX_OK = 0,
  TETHER_SFTP_FX_EOF = 1,
  TETHER_SFTP_FX_NO_SUCH_FILE = 2,
  TETHER_SFTP_FX_PERMISSION_DENIED = 3,
  TETHER_SFTP_FX_FAILURE = 4,
  TETHER_SFTP_FX_BAD_MESSAGE = 5,
  TETHER_SFTP_FX_NO_CONNECTION = 6,
  TETHER_SFTP_FX_CONNECTION_LOST = 7,
  TETHER_SFTP_FX_OP_UNSUPPORTED = 8,
} TetherSftpStatus;

#define TETHER_SFTP_ATTR_SIZE 0x00000001
#define TETHER_SFTP_ATTR_UIDGID 0x00000002
#define TETHER_SFTP_ATTR_PERMISSIONS 0x00000004
#define TETHER_SFTP_ATTR_ACMODTIME 0x00000008
#define TETHER_SFTP_ATTR_EXTENDED 0x80000000

#define TETHER_SFTP_OPEN_READ 0x01
#define TETHER_SFTP_OPEN_WRITE 0x02
#define TETHER_SFTP_OPEN_APPEND 0x04
#define TETHER_SFTP_OPEN_CREAT 0x08
#define TETHER_SFTP_OPEN_TRUNC 0x10
#define TETHER_SFTP_OPEN_EXCL 0x20

typedef struct
{
  guint32 flags;
  guint64 size;
  guint32 uid;
  guint32 gid;
  guint32 permissions;
  guint32 atime;
  guint32 mtime;
} TetherSftpAttrs;

/* A string inside a decoded reply: points into the reply's buffer, not NUL-terminated. */
typedef struct
{
  const guint8 *data;
  gsize len;
} TetherSftpSpan;

typedef struct
{
  TetherSftpSpan filename;
  TetherSftpSpan longname;
  TetherSftpAttrs attrs;
} TetherSftpName;

/* One decoded server message. Spans point into the buffer given to the decoder. */
typedef struct
{
  guint8 type;
  guint32 id;                  /* 0 for VERSION */
  guint32 version;             /* VERSION */
  GPtrArray *extensions;       /* VERSION: name, data, name, data... (char *, owned) */
  guint32 status;              /* STATUS */
  TetherSftpSpan message;      /* STATUS (may be empty: old servers omit it) */
  TetherSftpSpan handle;       /* HANDLE */
  TetherSftpSpan data;         /* DATA; EXTENDED_REPLY: the rest of the message */
  TetherSftpAttrs attrs;       /* ATTRS */
  GArray *names;               /* NAME: TetherSftpName */
} TetherSftpReply;

typedef struct
{
  guint64 bsize;
  guint64 frsize;
  guint64 blocks;
  guint64 bfree;
  guint64 bavail;
  guint64 files;
  guint64 ffree;
  guint64 favail;
  guint64 fsid;
  guint64 flag;
  guint64 namemax;
} TetherSftpStatvfs;

/* Frames: 0 while @len bytes do not yet hold a whole message, else its length with the
 * 4-byte length prefix; -1 with @error when the announced length is refused. */
gssize   _tether_sftp_frame_length  (const guint8       *buf,
                                     gsize               len,
                                     GError            **error);
/* Decodes one message without its length prefix. */
gboolean _tether_sftp_reply_parse   (const guint8       *msg,
                                     gsize               len,
                                     TetherSftpReply    *reply,
                                     GError            **error);
void     _tether_sftp_reply_clear   (TetherSftpReply    *reply);
gboolean _tether_sftp_parse_statvfs (const TetherSftpSpan *data,
                                     TetherSftpStatvfs  *out,
                                     GError            **error);

/* Requests. Paths and handles are byte strings (@len -1: NUL-terminated). NULL with @error
 * when the message would exceed TETHER_SFTP_MAX_MESSAGE. */
GBytes  *_tether_sftp_encode_init       (void);
GBytes  *_tether_sftp_encode_path       (guint8                 type,
                                         guint32                id,
                                         const char            *path,
                                         gssize                 len,
                                         GError               **error);
GBytes  *_tether_sftp_encode_two_paths  (guint8                 type,
                                         guint32                id,
                                         const char            *a,
                                         const char            *b,
                                         GError               **error);
GBytes  *_tether_sftp_encode_handle     (guint8                 type,
                                         guint32                id,
                                         const TetherSftpSpan  *handle,
                                         GError               **error);
GBytes  *_tether_sftp_encode_open       (guint32                id,
                                         const char            *path,
                                         gssize                 len,
                                         guint32                pflags,
                                         const TetherSftpAttrs *attrs,
                                         GError               **error);
GBytes  *_tether_sftp_encode_path_attrs (guint8                 type,
                                         guint32                id,
                                         const char            *path,
                                         gssize                 len,
                                         const TetherSftpAttrs *attrs,
                                         GError               **error);
GBytes  *_tether_sftp_encode_fsetstat   (guint32                id,
                                         const TetherSftpSpan  *handle,
                                         const TetherSftpAttrs *attrs,
                                         GError               **error);
GBytes  *_tether_sftp_encode_read       (guint32                id,
                                         const TetherSftpSpan  *handle,
                                         guint64                offset,
                                         guint32                length,
                                         GError               **error);
GBytes  *_tether_sftp_encode_write      (guint32                id,
                                         const TetherSftpSpan  *handle,
                                         guint64                offset,
                                         const guint8          *data,
                                         gsize                  length,
                                         GError               **error);
/* EXTENDED with a name and then one or two paths (posix-rename, statvfs) or a handle
 * (fsync: pass the handle as @a with @a_len). */
GBytes  *_tether_sftp_encode_extended   (guint32                id,
                                         const char            *name,
                                         const char            *a,
                                         gssize                 a_len,
                                         const char            *b,
                                         GError               **error);

/* A STATUS as a GError in G_IO_ERROR, keeping the server's message. */
GError  *_tether_sftp_status_to_error   (guint32                status,
                                         const TetherSftpSpan  *message);

G_END_DECLS
