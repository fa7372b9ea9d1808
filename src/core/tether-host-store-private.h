/* tether-host-store-private.h: what the host store's files and its tests share. */
#pragma once

#include "tether-host-store.h"
#include "tether-ssh-config.h"

G_BEGIN_DECLS

guint _tether_host_store_get_n_lookup_reads (TetherHostStore *self);

/* hosts.conf in memory: the lines of the file cut at each Host or Match block. */
typedef struct {
  char *text;                   /* the lines of the chunk, as in the file */
  TetherSshConfigBlock *block;  /* the block the chunk holds */
  TetherHost *host;             /* the saved host it defines, or NULL */
} TetherHostsChunk;

/* The rewrite of hosts.conf, for tests and fuzz-hosts-rewrite. */
GPtrArray *_tether_hosts_chunks_new        (const char             *text,
                                            TetherSshConfig        *config);
char      *_tether_hosts_rewrite_chunk     (const TetherHostsChunk *chunk,
                                            TetherHost             *host);
char      *_tether_hosts_new_block         (TetherHost             *host);
char      *_tether_hosts_join              (GPtrArray              *texts);
gboolean   _tether_hosts_check_host        (TetherHost             *host,
                                            GError                **error);
gboolean   _tether_hosts_host_equal        (TetherHost             *a,
                                            TetherHost             *b);

G_END_DECLS
