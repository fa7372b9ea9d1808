/* tether-ssh-config-private.h: what libtether, its tests and fuzzers reach of the ssh_config
 * parser beyond its public API. */
#pragma once

#include "tether-ssh-config.h"
#include "tether-ssh-keywords-private.h"

G_BEGIN_DECLS

/* The largest ssh_config file read (also through Include): real ones are kilobytes and a
 * 25,000-host file is about 5 MB, while without a cap `Include /dev/zero`-like files or a
 * runaway generator would take all memory. */
#define TETHER_SSH_CONFIG_MAX_FILE_SIZE (16 * 1024 * 1024)

/* How a configuration reaches the files that it loads and that its Include lines name; the
 * default is the file system. Fuzzers serve files from memory through it.
 * glob: the paths (files and folders) that PATTERN, an absolute path with glob(3)
 *   wildcards, matches, sorted; empty for none; NULL with @error set on failure.
 * read: the contents of a regular file of at most TETHER_SSH_CONFIG_MAX_FILE_SIZE bytes;
 *   G_IO_ERROR_IS_DIRECTORY for a folder (which Include skips, as ssh does).
 * real_path: the canonical name of PATH, to find Include loops. */
typedef struct {
  char   **(*glob)      (const char  *pattern,
                         gpointer     user_data,
                         GError     **error);
  gboolean (*read)      (const char  *path,
                         char       **contents,
                         gsize       *length,
                         gpointer     user_data,
                         GError     **error);
  char    *(*real_path) (const char  *path,
                         gpointer     user_data);
} TetherSshConfigReader;

/* Lets tests wait less than TETHER_SSH_CONFIG_EXEC_TIMEOUT_MS; 0 restores it. */
void _tether_ssh_config_set_exec_timeout (guint timeout_ms);

/* Runs a `Match exec` command: TRUE when it exits with status 0. Problems
 * (a timeout, a command that cannot start) go to WARNINGS as char *. */
typedef gboolean (*TetherSshConfigExecFunc) (const char *command,
                                             gpointer    data,
                                             GPtrArray  *warnings);

TetherHost *_tether_ssh_config_resolve_with_exec (TetherSshConfig         *self,
                                                  const char              *alias,
                                                  TetherSshConfigExecFunc  exec,
                                                  gpointer                 exec_data,
                                                  GPtrArray               *warnings,
                                                  GError                 **error);

void _tether_ssh_config_set_reader (TetherSshConfig             *self,
                                    const TetherSshConfigReader *reader,
                                    gpointer                     user_data);

/* Internals shared by the files of TetherSshConfig (lexer, parser, Include, index and object,
 * resolver) and by the host store, which reads blocks as ssh_config does. */

/* What argv_split () and strdelim () of OpenSSH treat as blanks. */
#define WHITESPACE " \t\r\n"
/* Trailing characters OpenSSH strips from a line before parsing it. */
#define TRAILING_BLANKS " \t\r\n\f"
#define TETHER_META_PREFIX "#@tether"
/* Limits of OpenSSH: SSH_MAX_HOSTS_FILES. */
#define MAX_KNOWN_HOSTS_FILES 32
#define PORT_MAX 65535
#define SECONDS_PER_MINUTE 60
#define SECONDS_PER_HOUR (60 * SECONDS_PER_MINUTE)
#define SECONDS_PER_DAY (24 * SECONDS_PER_HOUR)
#define SECONDS_PER_WEEK (7 * SECONDS_PER_DAY)


typedef enum {
  CRIT_ALL,
  CRIT_CANONICAL,
  CRIT_FINAL,
  CRIT_HOST,
  CRIT_ORIGINAL_HOST,
  CRIT_USER,
  CRIT_LOCAL_USER,
  CRIT_EXEC,
  CRIT_LOCAL_NETWORK,
} CriterionKind;

typedef struct {
  CriterionKind kind;
  gboolean negate;
  char *arg;
} Criterion;

typedef struct _ConfigFile ConfigFile;

/* Which hosts a block can apply to, for the index: resolving a host visits
 * only the blocks that can apply to it, so that listing N hosts stays linear. */
typedef enum {
  REACH_UNKNOWN,
  REACH_ANY,    /* the start of a file, Match, Host with a wildcard */
  REACH_NAMED,  /* Host listing only plain names: those names */
  REACH_NONE,   /* a bad Host or Match line, or only negations: never applies */
} BlockReach;

/* One place a block is read: a block included from two places is read twice. */
typedef struct {
  TetherSshConfigBlock *block;
  guint parent;  /* the occurrence whose Include led here, or NO_PARENT */
} Occurrence;

#define NO_PARENT G_MAXUINT
/* Step.opt_start of the step that starts a block: its match and metadata. */
#define STEP_BLOCK_START G_MAXUINT
/* Keys of the index for steps every host visits, and for steps none does. */
#define KEY_ANY (G_MAXUINT - 1)
#define KEY_NONE G_MAXUINT

/* What resolving does, in file order: start a block, or apply the options
 * [opt_start, opt_end) of one (an Include splits a block's options). */
typedef struct {
  guint occ;
  guint opt_start;
  guint opt_end;
} Step;

struct _TetherSshConfigOption
{
  gatomicrefcount ref_count;
  Keyword kw;
  char *keyword;     /* as written */
  char *name;        /* lower case */
  char *value;       /* the rest of the line, as written */
  GStrv args;        /* the unquoted words of value, up to a comment */
  guint line;
  gboolean valid;
  char *normalized;  /* forwards: OpenSSH's canonical spelling */
  GPtrArray *includes;  /* Include: the ConfigFiles it names, in glob order */
};

struct _TetherSshConfigBlock
{
  gatomicrefcount ref_count;
  TetherSshConfigBlockKind kind;
  char *filename;
  guint line;
  GStrv patterns;
  GPtrArray *options;
  GArray *criteria;   /* Match: Criterion */
  gboolean valid;
  GPtrArray *meta_keys;  /* NULL-terminated, in order of first appearance */
  GHashTable *meta;
  /* For the index, set when the block is indexed: */
  BlockReach reach;
  GHashTable *literals;  /* long Host lines: the names without * ? or !; else NULL */
  GPtrArray *others;     /* long Host lines: the other patterns (negated, wildcards) */
};

struct _ConfigFile
{
  char *display;     /* for messages: ~ for the home directory */
  char *path;        /* NULL when parsed from memory */
  GPtrArray *blocks;
};

struct _TetherSshConfig
{
  GObject parent_instance;

  gboolean lenient;
  const TetherSshConfigReader *reader;
  gpointer reader_data;
  GPtrArray *files;    /* ConfigFile, in load order */
  GPtrArray *blocks;   /* every block, Includes flattened in place */
  GPtrArray *errors;   /* GError, lenient mode */

  /* The index (see BlockReach), extended by each file added. */
  GArray *occs;           /* Occurrence */
  GArray *steps;          /* Step, in the order ssh reads the lines */
  GArray *any_steps;      /* guint: steps every host visits */
  GPtrArray *key_steps;   /* per named block: GArray of guint steps under it */
  GHashTable *by_name;    /* name -> GArray of guint keys (into key_steps) */
  GHashTable *host_blocks;  /* name -> the first Host block that lists it */
  gboolean wants_final;   /* a Match block says `final`: always a second pass */
  gboolean uses_conn_hash;  /* some line has a %C token */
};

/* The file system, as ssh reads it. */
extern const TetherSshConfigReader fs_reader;

void                  config_file_free     (ConfigFile               *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfigFile, config_file_free)
TetherSshConfigBlock *block_new            (TetherSshConfigBlockKind  kind,
                                            const char               *filename,
                                            guint                     line);
gboolean              match_pattern        (const char               *s,
                                            const char               *pattern);
int                   match_pattern_list   (const char               *s,
                                            const char               *list,
                                            gboolean                  lowercase);
gboolean              match_hostname       (const char               *host,
                                            const char               *list);
gboolean              parse_port           (const char               *text,
                                            int                      *out);
gint64                parse_time           (const char               *text);
int                   parse_flag           (const char               *text);
gboolean              split_args           (const char               *s,
                                            GStrv                    *out);
char                 *find_comment         (char                     *s);
char                 *expand_tilde         (const char               *path);
char                 *include_pattern      (const char               *arg);
char                 *display_path         (const char               *path);
char                 *real_path            (const char               *path);
ConfigFile           *parse_buffer         (TetherSshConfig          *self,
                                            const char               *data,
                                            gsize                     length,
                                            const char               *path,
                                            const char               *name,
                                            GError                  **error);
gboolean              report_error_valist  (TetherSshConfig          *self,
                                            ConfigFile               *file,
                                            guint                     line,
                                            GError                  **error,
                                            const char               *format,
                                            va_list                   args)
                                            G_GNUC_PRINTF (5, 0);
gboolean              load_path            (TetherSshConfig          *self,
                                            const char               *path,
                                            GPtrArray                *stack,
                                            ConfigFile              **out,
                                            GError                  **error);

G_END_DECLS
