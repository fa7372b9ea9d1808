/* tether-file-util.h: writing a user's file without ever losing it (internal). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A new private file (hosts.conf, known_hosts): only its owner reads it. */
#define TETHER_FILE_MODE_PRIVATE 0600
/* A new ordinary file (saved terminal text): readable by all, as umask allows. */
#define TETHER_FILE_MODE_DEFAULT 0666

gboolean tether_file_write_safely   (const char    *path,
                                     const char    *contents,
                                     gsize          length,
                                     guint          new_file_mode,
                                     GCancellable  *cancellable,
                                     GError       **error);

char    *tether_file_resolve_links  (const char    *path,
                                     GError       **error);

void     tether_file_remove_tree    (const char    *path);

/* Flushes a file on a thread of its own while it is being written (tether-file-flusher.c). */
typedef struct _TetherFileFlusher TetherFileFlusher;

TetherFileFlusher *tether_file_flusher_new     (int                fd);
int                tether_file_flusher_request (TetherFileFlusher *self);
int                tether_file_flusher_free    (TetherFileFlusher *self);

G_END_DECLS
