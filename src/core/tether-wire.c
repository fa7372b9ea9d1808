/* tether-wire.c: reading and writing the SSH wire encoding (RFC 4251 section 5)
 * of request payloads.
 */

#include "config.h"

#include <string.h>

#include "tether-wire-private.h"

/* The size of an SSH uint32, and of the length before an SSH string. */
#define WIRE_UINT32_SIZE 4

/* Reads the big-endian uint32 at *@offset of @payload (which may be %NULL)
 * without moving @offset; FALSE when the payload ends first. */
static gboolean
peek_uint32 (GBytes  *payload,
             gsize    offset,
             guint32 *value)
{
  gsize size = 0;
  const guint8 *data = payload != NULL ? g_bytes_get_data (payload, &size) : NULL;
  guint32 be;

  if (data == NULL || offset > size || size - offset < WIRE_UINT32_SIZE)
    return FALSE;
  memcpy (&be, data + offset, WIRE_UINT32_SIZE);
  *value = GUINT32_FROM_BE (be);
  return TRUE;
}

/* Reads one SSH string of @payload at *@offset and moves *@offset past it;
 * %NULL when the payload is too short. */
char *
_tether_wire_get_string (GBytes *payload,
                         gsize  *offset)
{
  gsize size = 0;
  const guint8 *data;
  guint32 len;

  if (!peek_uint32 (payload, *offset, &len))
    return NULL;
  data = g_bytes_get_data (payload, &size);
  if (size - *offset - WIRE_UINT32_SIZE < len)
    return NULL;
  *offset += WIRE_UINT32_SIZE + len;
  return g_strndup ((const char *) data + *offset - len, len);
}

/* Reads one SSH uint32 of @payload at *@offset and moves *@offset past it. */
gboolean
_tether_wire_get_uint32 (GBytes  *payload,
                         gsize   *offset,
                         guint32 *value)
{
  if (!peek_uint32 (payload, *offset, value))
    return FALSE;
  *offset += WIRE_UINT32_SIZE;
  return TRUE;
}

void
_tether_wire_put_uint32 (GByteArray *array,
                         guint32     value)
{
  guint32 be = GUINT32_TO_BE (value);

  g_byte_array_append (array, (const guint8 *) &be, sizeof be);
}

/* Appends @value (%NULL for an empty string) as an SSH string. */
void
_tether_wire_put_string (GByteArray *array,
                         const char *value)
{
  gsize len = value != NULL ? strlen (value) : 0;

  _tether_wire_put_uint32 (array, len);
  g_byte_array_append (array, (const guint8 *) (value != NULL ? value : ""), len);
}
