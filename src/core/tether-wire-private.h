/* tether-wire-private.h: the SSH wire encoding (RFC 4251 section 5) of request
 * payloads, shared by channel requests and global requests.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *_tether_wire_get_string (GBytes     *payload,
                                   gsize      *offset);
gboolean  _tether_wire_get_uint32 (GBytes     *payload,
                                   gsize      *offset,
                                   guint32    *value);
void      _tether_wire_put_uint32 (GByteArray *array,
                                   guint32     value);
void      _tether_wire_put_string (GByteArray *array,
                                   const char *value);

G_END_DECLS
