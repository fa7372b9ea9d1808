/* test-sftp-wire.c: the SFTP v3 encoder and decoder over byte buffers, no server. */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "tether-error.h"
#include "tether-sftp-wire-private.h"

static void
put_u32 (GByteArray *a,
         guint32     v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (a, b, 4);
}

static void
put_str (GByteArray *a,
         const char *s,
         gsize       len)
{
  put_u32 (a, len);
  g_byte_array_append (a, (const guint8 *) s, len);
}

/* A message body (no length prefix) of @type and @id. */
static GByteArray *
msg_new (guint8  type,
         guint32 id)
{
  GByteArray *a = g_byte_array_new ();

  g_byte_array_append (a, &type, 1);
  put_u32 (a, id);
  return a;
}

static void
test_encode_read (void)
{
  g_autoptr(GError) error = NULL;
  TetherSftpSpan handle = { (const guint8 *) "HH", 2 };
  g_autoptr(GBytes) bytes = _tether_sftp_encode_read (9, &handle, G_GUINT64_CONSTANT (0x100000002),
                                                      TETHER_SFTP_MAX_IO, &error);
  static const guint8 expected[] = {
    0, 0, 0, 23, TETHER_SFTP_READ, 0, 0, 0, 9, 0, 0, 0, 2, 'H', 'H',
    0, 0, 0, 1, 0, 0, 0, 2, 0, 3, 0xFC, 0x00,
  };
  gsize len;
  const guint8 *data;

  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  g_assert_cmpmem (data, len, expected, sizeof expected);
}

static void
test_encode_init_open (void)
{
  g_autoptr(GBytes) init = _tether_sftp_encode_init ();
  static const guint8 init_expected[] = { 0, 0, 0, 5, 1, 0, 0, 0, 3 };
  TetherSftpAttrs attrs = { .flags = TETHER_SFTP_ATTR_PERMISSIONS, .permissions = 0600 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) open = NULL;
  static const guint8 open_expected[] = {
    0, 0, 0, 23, TETHER_SFTP_OPEN, 0, 0, 0, 1, 0, 0, 0, 2, '/', 'x',
    0, 0, 0, 0x1A, 0, 0, 0, 4, 0, 0, 1, 0x80,
  };

  g_assert_cmpmem (g_bytes_get_data (init, NULL), g_bytes_get_size (init),
                   init_expected, sizeof init_expected);
  open = _tether_sftp_encode_open (1, "/x", -1, TETHER_SFTP_OPEN_WRITE | TETHER_SFTP_OPEN_CREAT |
                                   TETHER_SFTP_OPEN_TRUNC, &attrs, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (open, NULL), g_bytes_get_size (open),
                   open_expected, sizeof open_expected);
}

static void
test_encode_too_large (void)
{
  g_autoptr(GError) error = NULL;
  TetherSftpSpan handle = { (const guint8 *) "H", 1 };
  g_autofree guint8 *data = g_malloc0 (TETHER_SFTP_MAX_MESSAGE);
  g_autoptr(GBytes) ok = _tether_sftp_encode_write (1, &handle, 0, data, TETHER_SFTP_MAX_WRITE,
                                                    &error);
  g_autoptr(GBytes) big = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (ok), <=, TETHER_SFTP_MAX_MESSAGE + 4);
  big = _tether_sftp_encode_write (1, &handle, 0, data, TETHER_SFTP_MAX_MESSAGE - 10, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_null (big);
}

static void
test_frame_length (void)
{
  g_autoptr(GError) error = NULL;
  guint8 buf[8] = { 0, 0, 0, 4, 1, 2, 3, 4 };
  guint8 huge[4] = { 0, 4, 0, 1 };   /* 256 KiB + 1 */
  guint8 empty[4] = { 0, 0, 0, 0 };

  g_assert_cmpint (_tether_sftp_frame_length (buf, 3, &error), ==, 0);
  g_assert_cmpint (_tether_sftp_frame_length (buf, 7, &error), ==, 0);
  g_assert_cmpint (_tether_sftp_frame_length (buf, 8, &error), ==, 8);
  g_assert_no_error (error);
  g_assert_cmpint (_tether_sftp_frame_length (huge, 4, &error), ==, -1);
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_cmpint (_tether_sftp_frame_length (empty, 4, &error), ==, -1);
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL);
}

static void
test_parse_version (void)
{
  g_autoptr(GByteArray) a = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  TetherSftpReply reply;

  g_byte_array_append (a, (const guint8[]) { TETHER_SFTP_VERSION_MSG }, 1);
  put_u32 (a, 3);
  put_str (a, "posix-rename@openssh.com", 24);
  put_str (a, "1", 1);
  g_assert_true (_tether_sftp_reply_parse (a->data, a->len, &reply, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (reply.version, ==, 3);
  g_assert_cmpuint (reply.extensions->len, ==, 2);
  g_assert_cmpstr (reply.extensions->pdata[0], ==, "posix-rename@openssh.com");
  _tether_sftp_reply_clear (&reply);

  /* A truncated extension */
  put_u32 (a, 10);
  g_assert_false (_tether_sftp_reply_parse (a->data, a->len, &reply, &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL);
  g_assert_null (reply.extensions);
}

static void
test_parse_status (void)
{
  g_autoptr(GByteArray) a = msg_new (TETHER_SFTP_STATUS, 7);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) status = NULL;
  TetherSftpReply reply;

  put_u32 (a, TETHER_SFTP_FX_NO_SUCH_FILE);
  put_str (a, "No such file", 12);
  put_str (a, "en", 2);
  g_assert_true (_tether_sftp_reply_parse (a->data, a->len, &reply, &error));
  g_assert_cmpuint (reply.id, ==, 7);
  g_assert_cmpuint (reply.status, ==, TETHER_SFTP_FX_NO_SUCH_FILE);
  status = _tether_sftp_status_to_error (reply.status, &reply.message);
  g_assert_error (status, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpstr (status->message, ==, "No such file");
  g_clear_error (&status);

  status = _tether_sftp_status_to_error (TETHER_SFTP_FX_PERMISSION_DENIED, NULL);
  g_assert_error (status, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_clear_error (&status);
  status = _tether_sftp_status_to_error (TETHER_SFTP_FX_FAILURE, NULL);
  g_assert_error (status, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&status);
  status = _tether_sftp_status_to_error (TETHER_SFTP_FX_OP_UNSUPPORTED, NULL);
  g_assert_error (status, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);

  /* Short STATUS without message is accepted (some v3 servers) */
  g_byte_array_set_size (a, 9);
  g_assert_true (_tether_sftp_reply_parse (a->data, a->len, &reply, &error));
  g_assert_cmpuint (reply.message.len, ==, 0);
}

static void
test_parse_name (void)
{
  g_autoptr(GByteArray) a = msg_new (TETHER_SFTP_NAME, 3);
  g_autoptr(GError) error = NULL;
  TetherSftpReply reply;
  TetherSftpName *n;

  put_u32 (a, 2);
  put_str (a, "file", 4);
  put_str (a, "-rw-r--r-- file", 15);
  put_u32 (a, TETHER_SFTP_ATTR_SIZE | TETHER_SFTP_ATTR_PERMISSIONS | TETHER_SFTP_ATTR_ACMODTIME);
  put_u32 (a, 0);
  put_u32 (a, 42);
  put_u32 (a, 0100644);
  put_u32 (a, 1);
  put_u32 (a, 1700000000);
  put_str (a, "\xff\xfe", 2);
  put_str (a, "", 0);
  put_u32 (a, 0);
  g_assert_true (_tether_sftp_reply_parse (a->data, a->len, &reply, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (reply.names->len, ==, 2);
  n = &g_array_index (reply.names, TetherSftpName, 0);
  g_assert_cmpmem (n->filename.data, n->filename.len, "file", 4);
  g_assert_cmpuint (n->attrs.size, ==, 42);
  g_assert_cmpuint (n->attrs.permissions, ==, 0100644);
  g_assert_cmpuint (n->attrs.mtime, ==, 1700000000);
  n = &g_array_index (reply.names, TetherSftpName, 1);
  g_assert_cmpmem (n->filename.data, n->filename.len, "\xff\xfe", 2);
  _tether_sftp_reply_clear (&reply);

  /* Truncated at every length: always refused, never read past. */
  for (gsize len = 0; len < a->len; len++) {
    g_autoptr(GError) short_error = NULL;
    g_autofree guint8 *copy = g_memdup2 (a->data, len);

    g_assert_false (_tether_sftp_reply_parse (copy, len, &reply, &short_error));
    g_assert_error (short_error, TETHER_ERROR, TETHER_ERROR_PROTOCOL);
    g_assert_null (reply.names);
  }
}

static void
test_parse_others (void)
{
  g_autoptr(GError) error = NULL;
  TetherSftpReply reply;
  TetherSftpStatvfs st;
  g_autoptr(GByteArray) handle = msg_new (TETHER_SFTP_HANDLE, 1);
  g_autoptr(GByteArray) data = msg_new (TETHER_SFTP_DATA, 2);
  g_autoptr(GByteArray) ext = msg_new (TETHER_SFTP_EXTENDED_REPLY, 5);
  g_autoptr(GByteArray) unknown = msg_new (99, 1);

  put_str (handle, "\0\1", 2);
  g_assert_true (_tether_sftp_reply_parse (handle->data, handle->len, &reply, &error));
  g_assert_cmpuint (reply.handle.len, ==, 2);

  put_str (data, "hello", 5);
  g_assert_true (_tether_sftp_reply_parse (data->data, data->len, &reply, &error));
  g_assert_cmpmem (reply.data.data, reply.data.len, "hello", 5);

  for (guint i = 0; i < 11; i++) {
    put_u32 (ext, 0);
    put_u32 (ext, i + 1);
  }
  g_assert_true (_tether_sftp_reply_parse (ext->data, ext->len, &reply, &error));
  g_assert_true (_tether_sftp_parse_statvfs (&reply.data, &st, &error));
  g_assert_cmpuint (st.bsize, ==, 1);
  g_assert_cmpuint (st.namemax, ==, 11);
  reply.data.len -= 1;
  g_assert_false (_tether_sftp_parse_statvfs (&reply.data, &st, &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL);
  g_clear_error (&error);

  g_assert_false (_tether_sftp_reply_parse (unknown->data, unknown->len, &reply, &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tether/sftp-wire/encode-read", test_encode_read);
  g_test_add_func ("/tether/sftp-wire/encode-init-open", test_encode_init_open);
  g_test_add_func ("/tether/sftp-wire/encode-too-large", test_encode_too_large);
  g_test_add_func ("/tether/sftp-wire/frame-length", test_frame_length);
  g_test_add_func ("/tether/sftp-wire/parse-version", test_parse_version);
  g_test_add_func ("/tether/sftp-wire/parse-status", test_parse_status);
  g_test_add_func ("/tether/sftp-wire/parse-name", test_parse_name);
  g_test_add_func ("/tether/sftp-wire/parse-others", test_parse_others);
  return g_test_run ();
}
