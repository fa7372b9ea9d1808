/* tether-host-store-private.h: what the host store's files and its tests share. */
#pragma once

#include "tether-host-store.h"
#include "tether-ssh-config-private.h"

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

/* What the files of the store share. */

/* hosts.conf names servers and users: keep its directory to its owner. */
#define HOSTS_DIR_MODE 0700
/* ~/.ssh must not be writable by others or ssh refuses to read it. */
#define SSH_DIR_MODE 0700
/* What a new hosts file starts with; the blank line keeps it off the first host. */
#define HOSTS_FILE_HEADER \
  "# Tether's saved hosts, in ssh_config syntax: plain ssh reads them through\n" \
  "# an Include line. Tether keeps its own words in #@tether lines.\n\n"
/* Indentation of the options of a block that Tether writes. */
#define BLOCK_INDENT "  "
/* How many hex digits of a SHA-256 make a derived id (a UUID's 128 bits). */
#define DERIVED_ID_HEX_DIGITS 32

typedef TetherHostsChunk Chunk;

/* What one read of the files found; made on a worker thread. */
typedef struct {
  guint serial;
  char *hosts_text;             /* NULL when hosts.conf does not exist */
  GError *hosts_error;          /* why hosts.conf cannot be written */
  GPtrArray *chunks;            /* Chunk */
  GPtrArray *ro_hosts;          /* TetherHost of ssh_config files */
  TetherSshConfig *lookup_config;
  gboolean includes_hosts;
  GPtrArray *watch_paths;       /* char *: files to follow */
  GPtrArray *config_errors;     /* GError: bad lines of the ssh_config files */
} Snapshot;

typedef struct {
  char *ssh_config_path;
  char *hosts_path;
  GStrv extra_paths;
  guint serial;
} LoadRequest;

typedef struct {
  char *text;
  guint index;
} RemovedChunk;

struct _TetherHostStore
{
  GObject parent_instance;

  char *ssh_config_path;
  char *hosts_path;
  GPtrArray *extra_paths;       /* char *, from load_file () */

  GPtrArray *items;             /* TetherHost, what the model shows */
  GPtrArray *chunks;            /* Chunk: hosts.conf */
  char *hosts_text;             /* hosts.conf as last read or written; NULL: absent */
  GPtrArray *ro_hosts;          /* TetherHost from ssh_config files */
  TetherSshConfig *lookup_config;  /* NULL: to be rebuilt on demand */
  GError *load_error;
  GPtrArray *config_errors;     /* GError, of the last load */
  gboolean loaded;
  gboolean use_defaults;        /* load_default_async () was called */
  gboolean includes_hosts;

  GHashTable *monitors;         /* path -> GFileMonitor */
  guint serial;                 /* bumped by every change made here */
  gboolean reloading;
  gboolean reload_again;
  GPtrArray *pending_loads;     /* GTask of load_default_async () */
  GHashTable *removed;          /* id -> RemovedChunk, for restore () */
  GQueue mutations;             /* GTask: changes waiting for their turn */
  GTask *writing;               /* the change being written, or NULL */
  guint n_lookup_reads;         /* times lookup () read the files itself */
};

G_GNUC_INTERNAL void adopt_chunks (TetherHostStore *self,
                                   GPtrArray *chunks,
                                   TetherHost *preferred);
G_GNUC_INTERNAL gboolean alias_is_concrete (const char *alias);
G_GNUC_INTERNAL void append_word (GString *out, const char *word);
G_GNUC_INTERNAL GPtrArray *build_chunks (const char *text, TetherSshConfig *config);
G_GNUC_INTERNAL TetherSshConfig *build_lookup_config (const char *ssh_config_path,
                                                      const char *hosts_path,
                                                      const char * const *extra_paths,
                                                      gboolean includes_hosts);
G_GNUC_INTERNAL gboolean check_host (TetherHostStore *self,
                                     TetherHost *host,
                                     TetherHost *replacing,
                                     GError **error);
G_GNUC_INTERNAL gboolean check_writable (TetherHostStore *self, GError **error);
G_GNUC_INTERNAL void chunk_free (Chunk *chunk);
G_GNUC_INTERNAL GPtrArray *chunk_texts (TetherHostStore *self);
G_GNUC_INTERNAL gboolean config_includes (TetherSshConfig *config, const char *hosts_path);
G_GNUC_INTERNAL gint find_chunk (TetherHostStore *self, const char *id);
G_GNUC_INTERNAL gboolean host_equal (TetherHost *a, TetherHost *b);
G_GNUC_INTERNAL gboolean is_blank (const char *line, gsize len);
G_GNUC_INTERNAL gboolean is_plain_comment (const char *line, gsize len);
G_GNUC_INTERNAL char *join_texts (GPtrArray *texts);
G_GNUC_INTERNAL void load_request_free (LoadRequest *req);
G_GNUC_INTERNAL Snapshot *load_snapshot (const LoadRequest *req);
G_GNUC_INTERNAL LoadRequest *make_request (TetherHostStore *self);
G_GNUC_INTERNAL char *new_chunk_text (GPtrArray *texts, guint before, const char *block_text);
G_GNUC_INTERNAL gboolean not_saved (TetherHost *host, GError **error);
G_GNUC_INTERNAL gboolean refuse_read_only (TetherHost *host, GError **error);
G_GNUC_INTERNAL void removed_chunk_free (RemovedChunk *removed);
G_GNUC_INTERNAL TetherHost *resolve_host (TetherSshConfig *config,
                                          const char *name,
                                          GError **error);
G_GNUC_INTERNAL void schedule_reload (TetherHostStore *self);
G_GNUC_INTERNAL char *serialize_host (TetherHost *host, TetherSshConfigBlock *old);
G_GNUC_INTERNAL void set_str (char **field, const char *value);
G_GNUC_INTERNAL void snapshot_free (Snapshot *snap);
G_GNUC_INTERNAL void update_items (TetherHostStore *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Snapshot, snapshot_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadRequest, load_request_free)

G_END_DECLS
