/* tether-sftp-wire.c: encoding SFTP v3 requests and decoding replies over byte buffers.
 *
 * The decoder never reads past the length it was given and checks every count against the
 * bytes left, so a hostile server cannot make it allocate without bound: it is fuzzed
 * (tests/fuzz/fuzz-sftp.c). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "tether-error.h"
#include "tether-sftp-wire-private.h"

/* The smallest encoding of one NAME entry: two empty strings and empty attributes. */
#define NAME_ENTRY_MIN 12
#define STATVFS_FIELDS 11

/* ------------------------------------------------------------------------- */
/* Decoding                                                                  */

typedef struct
{
  const guint8 *data;
  gsize len;
  gsize pos;
} Reader;

static gboolean
get_u8 (Reader *r,
        guint8 *out)
{
  if (r->len - r->pos < 1)
    return FALSE;
  *out = r->data[r->pos++];
  return TRUE;
}

static gboolean
get_u32 (Reader  *r,
         guint32 *out)
{
  const guint8 *p;

  if (r->len - r->pos < 4)
    return FALSE;
  p = r->data + r->pos;
  *out = ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
  r->pos += 4;
  return TRUE;
}

static gboolean
get_u64 (Reader  *r,
         guint64 *out)
{
  guint32 hi = 0;
  guint32 lo = 0;

  if (!get_u32 (r, &hi) || !get_u32 (r, &lo))
    return FALSE;
  *out = ((guint64) hi << 32) | lo;
  return TRUE;
}

static gboolean
get_span (Reader         *r,
          TetherSftpSpan *out)
{
  guint32 len;

  if (!get_u32 (r, &len))
    return FALSE;
  if (r->len - r->pos < len)
    return FALSE;
  out->data = r->data + r->pos;
  out->len = len;
  r->pos += len;
  return TRUE;
}

static gboolean
get_attrs (Reader          *r,
           TetherSftpAttrs *attrs)
{
  memset (attrs, 0, sizeof *attrs);
  if (!get_u32 (r, &attrs->flags))
    return FALSE;
  if ((attrs->flags & TETHER_SFTP_ATTR_SIZE) && !get_u64 (r, &attrs->size))
    return FALSE;
  if ((attrs->flags & TETHER_SFTP_ATTR_UIDGID) &&
      (!get_u32 (r, &attrs->uid) || !get_u32 (r, &attrs->gid)))
    return FALSE;
  if ((attrs->flags & TETHER_SFTP_ATTR_PERMISSIONS) && !get_u32 (r, &attrs->permissions))
    return FALSE;
  if ((attrs->flags & TETHER_SFTP_ATTR_ACMODTIME) &&
      (!get_u32 (r, &attrs->atime) || !get_u32 (r, &attrs->mtime)))
    return FALSE;
  if (attrs->flags & TETHER_SFTP_ATTR_EXTENDED) {
    guint32 count;

    if (!get_u32 (r, &count))
      return FALSE;
    /* Each pair takes at least 8 bytes: a larger count is a lie, caught by the loop. */
    for (guint32 i = 0; i < count; i++) {
      TetherSftpSpan name;
      TetherSftpSpan value;

      if (!get_span (r, &name) || !get_span (r, &value))
        return FALSE;
    }
  }
  return TRUE;
}

gssize
_tether_sftp_frame_length (const guint8  *buf,
                           gsize          len,
                           GError       **error)
{
  guint32 n;

  if (len < 4)
    return 0;
  n = ((guint32) buf[0] << 24) | ((guint32) buf[1] << 16) | ((guint32) buf[2] << 8) | buf[3];
  if (n < 1 || n > TETHER_SFTP_MAX_REPLY) {
    g_set_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                 _("The SFTP server sent a message of %u bytes, which is not allowed."), n);
    return -1;
  }
  if (len - 4 < n)
    return 0;
  return (gssize) n + 4;
}

static gboolean
malformed (GError **error,
           guint8   type)
{
  g_set_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
               _("The SFTP server sent a malformed message (type %u)."), type);
  return FALSE;
}

gboolean
_tether_sftp_reply_parse (const guint8     *msg,
                          gsize             len,
                          TetherSftpReply  *reply,
                          GError          **error)
{
  Reader r = { msg, len, 0 };

  memset (reply, 0, sizeof *reply);
  if (!get_u8 (&r, &reply->type))
    return malformed (error, 0);

  if (reply->type == TETHER_SFTP_VERSION_MSG) {
    if (!get_u32 (&r, &reply->version))
      return malformed (error, reply->type);
    reply->extensions = g_ptr_array_new_with_free_func (g_free);
    while (r.pos < r.len) {
      TetherSftpSpan name;
      TetherSftpSpan data;

      if (!get_span (&r, &name) || !get_span (&r, &data)) {
        _tether_sftp_reply_clear (reply);
        return malformed (error, TETHER_SFTP_VERSION_MSG);
      }
      g_ptr_array_add (reply->extensions, g_strndup ((const char *) name.data, name.len));
      g_ptr_array_add (reply->extensions, g_strndup ((const char *) data.data, data.len));
    }
    return TRUE;
  }

  if (!get_u32 (&r, &reply->id))
    return malformed (error, reply->type);

  switch (reply->type) {
  case TETHER_SFTP_STATUS:
    if (!get_u32 (&r, &reply->status))
      return malformed (error, reply->type);
    /* Version 3 servers may end the message here (no message, no language tag). */
    if (r.pos < r.len) {
      TetherSftpSpan lang;

      if (!get_span (&r, &reply->message))
        return malformed (error, reply->type);
      if (r.pos < r.len && !get_span (&r, &lang))
        return malformed (error, reply->type);
    }
    break;
  case TETHER_SFTP_HANDLE:
    if (!get_span (&r, &reply->handle) || reply->handle.len > 256)
      return malformed (error, reply->type);
    break;
  case TETHER_SFTP_DATA:
    if (!get_span (&r, &reply->data))
      return malformed (error, reply->type);
    break;
  case TETHER_SFTP_ATTRS:
    if (!get_attrs (&r, &reply->attrs))
      return malformed (error, reply->type);
    break;
  case TETHER_SFTP_NAME: {
    guint32 count;

    if (!get_u32 (&r, &count) || count > (r.len - r.pos) / NAME_ENTRY_MIN)
      return malformed (error, reply->type);
    reply->names = g_array_sized_new (FALSE, TRUE, sizeof (TetherSftpName), count);
    for (guint32 i = 0; i < count; i++) {
      TetherSftpName name;

      if (!get_span (&r, &name.filename) || !get_span (&r, &name.longname) ||
          !get_attrs (&r, &name.attrs)) {
        _tether_sftp_reply_clear (reply);
        return malformed (error, TETHER_SFTP_NAME);
      }
      g_array_append_val (reply->names, name);
    }
    break;
  }
  case TETHER_SFTP_EXTENDED_REPLY:
    reply->data.data = r.data + r.pos;
    reply->data.len = r.len - r.pos;
    r.pos = r.len;
    break;
  default:
    g_set_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                 _("The SFTP server sent a message of unknown type %u."), reply->type);
    return FALSE;
  }
  return TRUE;
}

void
_tether_sftp_reply_clear (TetherSftpReply *reply)
{
  g_clear_pointer (&reply->extensions, g_ptr_array_unref);
  g_clear_pointer (&reply->names, g_array_unref);
}

gboolean
_tether_sftp_parse_statvfs (const TetherSftpSpan  *data,
                            TetherSftpStatvfs     *out,
                            GError               **error)
{
  Reader r = { data->data, data->len, 0 };
  guint64 *fields = (guint64 *) out;

  G_STATIC_ASSERT (sizeof (TetherSftpStatvfs) == STATVFS_FIELDS * sizeof (guint64));
  for (guint i = 0; i < STATVFS_FIELDS; i++) {
    if (!get_u64 (&r, &fields[i]))
      return malformed (error, TETHER_SFTP_EXTENDED_REPLY);
  }
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Encoding                                                                  */

static void
put_u32 (GByteArray *a,
         guint32     v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (a, b, 4);
}

static void
put_u64 (GByteArray *a,
         guint64     v)
{
  put_u32 (a, v >> 32);
  put_u32 (a, (guint32) v);
}

static void
put_bytes (GByteArray   *a,
           const void   *data,
           gsize         len)
{
  put_u32 (a, (guint32) len);
  if (len > 0)
    g_byte_array_append (a, data, len);
}

static void
put_attrs (GByteArray            *a,
           const TetherSftpAttrs *attrs)
{
  /* Extended attributes are never sent. */
  guint32 flags = attrs != NULL ? attrs->flags & ~TETHER_SFTP_ATTR_EXTENDED : 0;

  put_u32 (a, flags);
  if (flags & TETHER_SFTP_ATTR_SIZE)
    put_u64 (a, attrs->size);
  if (flags & TETHER_SFTP_ATTR_UIDGID) {
    put_u32 (a, attrs->uid);
    put_u32 (a, attrs->gid);
  }
  if (flags & TETHER_SFTP_ATTR_PERMISSIONS)
    put_u32 (a, attrs->permissions);
  if (flags & TETHER_SFTP_ATTR_ACMODTIME) {
    put_u32 (a, attrs->atime);
    put_u32 (a, attrs->mtime);
  }
}

static GByteArray *
begin (guint8  type,
       guint32 id)
{
  GByteArray *a = g_byte_array_sized_new (64);

  put_u32 (a, 0);
  g_byte_array_append (a, &type, 1);
  put_u32 (a, id);
  return a;
}

/* Fills in the length prefix; refuses what a server would refuse. */
static GBytes *
finish (GByteArray  *a,
        GError     **error)
{
  gsize n = a->len - 4;

  if (n > TETHER_SFTP_MAX_MESSAGE) {
    g_byte_array_unref (a);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                 _("The SFTP request is too large (%" G_GSIZE_FORMAT " bytes)."), n);
    return NULL;
  }
  a->data[0] = n >> 24;
  a->data[1] = n >> 16;
  a->data[2] = n >> 8;
  a->data[3] = n;
  return g_byte_array_free_to_bytes (a);
}

GBytes *
_tether_sftp_encode_init (void)
{
  GByteArray *a = g_byte_array_new ();
  guint8 type = TETHER_SFTP_INIT;

  put_u32 (a, 0);
  g_byte_array_append (a, &type, 1);
  put_u32 (a, TETHER_SFTP_VERSION);
  return finish (a, NULL);
}

static gsize
span_len (const char *s,
          gssize      len)
{
  return len < 0 ? strlen (s) : (gsize) len;
}

GBytes *
_tether_sftp_encode_path (guint8       type,
                          guint32      id,
                          const char  *path,
                          gssize       len,
                          GError     **error)
{
  GByteArray *a = begin (type, id);

  put_bytes (a, path, span_len (path, len));
  return finish (a, error);
}

GBytes *
_tether_sftp_encode_two_paths (guint8       type,
                               guint32      id,
                               const char  *first,
                               const char  *second,
                               GError     **error)
{
  GByteArray *a = begin (type, id);

  put_bytes (a, first, strlen (first));
  put_bytes (a, second, strlen (second));
  return finish (a, error);
}

GBytes *
_tether_sftp_encode_handle (guint8                 type,
                            guint32                id,
                            const TetherSftpSpan  *handle,
                            GError               **error)
{
  GByteArray *a = begin (type, id);

  put_bytes (a, handle->data, handle->len);
  return finish (a, error);
}

GBytes *
_tether_sftp_encode_open (guint32                 id,
                          const char             *path,
                          gssize                  len,
                          guint32                 pflags,
                          const TetherSftpAttrs  *attrs,
                          GError                **error)
{
  GByteArray *a = begin (TETHER_SFTP_OPEN, id);

  put_bytes (a, path, span_len (path, len));
  put_u32 (a, pflags);
  put_attrs (a, attrs);
  return finish (a, error);
}

GBytes *
_tether_sftp_encode_path_attrs (guint8                  type,
                                guint32                 id,
                                const char             *path,
                                gssize                  len,
                                const TetherSftpAttrs  *attrs,
                                GError                **error)
{
  GByteArray *a = begin (type, id);

  put_bytes (a, path, span_len (path, len));
  put_attrs (a, attrs);
  return finish (a, error);
}

GBytes *
_tether_sftp_encode_fsetstat (guint32                 id,
                              const TetherSftpSpan   *handle,
                              const TetherSftpAttrs  *attrs,
                              GError                **error)
{
  GByteArray *a = begin (TETHER_SFTP_FSETSTAT, id);

  put_bytes (a, handle->data, handle->len);
  put_attrs (a, attrs);
  return finish (a, error);
}

GBytes *
_tether_sftp_encode_read (guint32                id,
                          const TetherSftpSpan  *handle,
                          guint64                offset,
                          guint32                length,
                          GError               **error)
{
  GByteArray *a = begin (TETHER_SFTP_READ, id);

  put_bytes (a, handle->data, handle->len);
  put_u64 (a, offset);
  put_u32 (a, length);
  return finish (a, error);
}

GBytes *
_tether_sftp_encode_write (guint32                id,
                           const TetherSftpSpan  *handle,
                           guint64                offset,
                           const guint8          *data,
                           gsize                  length,
                           GError               **error)
{
  GByteArray *a;

  if (length > TETHER_SFTP_MAX_MESSAGE) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                 _("The SFTP request is too large (%" G_GSIZE_FORMAT " bytes)."), length);
    return NULL;
  }
  a = g_byte_array_sized_new (length + handle->len + 32);
  put_u32 (a, 0);
  g_byte_array_append (a, (const guint8[]) { TETHER_SFTP_WRITE }, 1);
  put_u32 (a, id);
  put_bytes (a, handle->data, handle->len);
  put_u64 (a, offset);
  put_bytes (a, data, length);
  return finish (a, error);
}

GBytes *
_tether_sftp_encode_extended (guint32      id,
                              const char  *name,
                              const char  *first,
                              gssize       first_len,
                              const char  *second,
                              GError     **error)
{
  GByteArray *a = begin (TETHER_SFTP_EXTENDED, id);

  put_bytes (a, name, strlen (name));
  put_bytes (a, first, span_len (first, first_len));
  if (second != NULL)
    put_bytes (a, second, strlen (second));
  return finish (a, error);
}

/* ------------------------------------------------------------------------- */
/* Errors                                                                    */

GError *
_tether_sftp_status_to_error (guint32               status,
                              const TetherSftpSpan *message)
{
  g_autofree char *text = NULL;
  GIOErrorEnum code;

  switch (status) {
  case TETHER_SFTP_FX_EOF:
    code = G_IO_ERROR_FAILED;
    break;
  case TETHER_SFTP_FX_NO_SUCH_FILE:
    code = G_IO_ERROR_NOT_FOUND;
    break;
  case TETHER_SFTP_FX_PERMISSION_DENIED:
    code = G_IO_ERROR_PERMISSION_DENIED;
    break;
  case TETHER_SFTP_FX_BAD_MESSAGE:
    code = G_IO_ERROR_INVALID_DATA;
    break;
  case TETHER_SFTP_FX_NO_CONNECTION:
    code = G_IO_ERROR_NOT_CONNECTED;
    break;
  case TETHER_SFTP_FX_CONNECTION_LOST:
    code = G_IO_ERROR_BROKEN_PIPE;
    break;
  case TETHER_SFTP_FX_OP_UNSUPPORTED:
    code = G_IO_ERROR_NOT_SUPPORTED;
    break;
  case TETHER_SFTP_FX_FAILURE:
  default:
    code = G_IO_ERROR_FAILED;
    break;
  }

  if (message != NULL && message->len > 0)
    text = g_utf8_make_valid ((const char *) message->data, message->len);
  if (text == NULL || *text == '\0') {
    g_free (text);
    text = g_strdup_printf (_("The SFTP server failed the request (status %u)."), status);
  }
  return g_error_new_literal (G_IO_ERROR, code, text);
}
