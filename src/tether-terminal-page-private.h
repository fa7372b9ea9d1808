/* tether-terminal-page-private.h: what the files of TetherTerminalPage share. */
#pragma once

#include "tether-terminal.h"
#include "tether-terminal-page.h"

G_BEGIN_DECLS

struct _TetherTerminalPage
{
  GtkWidget parent_instance;

  TetherHostSession *session;
  TetherHost *host;
  TetherShell *shell;
  gboolean holding;

  TetherTerminalState state;
  char *title;
  char *custom_title;
  char *cwd;
  char *message;
  char *notice;
  char *tmux_session;
  char *exit_signal;
  gboolean bell;
  gboolean started;

  /* The shell's output waiting for the terminal (GBytes *, in order): VTE parses all it is
   * fed in one go, so it gets a frame's worth at a time (see tether-terminal-page-shell.c). */
  GQueue feed_queue;
  gsize feed_queued;
  /* How much of the queue's head was fed already. */
  gsize feed_offset;
  /* Bytes per chunk, adapted to how long VTE takes to parse one. */
  gsize feed_chunk;
  guint feed_tick;
  guint feed_timeout;
  /* A chunk was fed and VTE has not said it parsed it yet: since when (CPU time), for how
   * many frames, and whether it was a whole chunk. */
  gboolean feed_waiting;
  guint feed_wait_frames;
  gint64 feed_start_cpu;
  gboolean feed_loaded;

  /* Typed before the shell was asked for: it goes to the shell first. */
  GByteArray *early_input;
  guint tick_source;
  GtkNativeDialog *save_dialog;

  /* Template children */
  GtkWidget *box;
  GtkDrawingArea *accent_strip;
  GtkInfoBar *banner;
  GtkLabel *banner_label;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkToggleButton *regex_button;
  GtkToggleButton *case_button;
  VteTerminal *terminal;
  GtkScrollbar *scrollbar;

  GdkRGBA accent;               /* the host's colour, valid when has_accent */
  gboolean has_accent;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_HOST,
  PROP_SHELL,
  PROP_CONNECTION,
  PROP_TITLE,
  PROP_STATE,
  PROP_CWD,
  PROP_BELL,
  PROP_MESSAGE,
  PROP_NOTICE,
  PROP_CUSTOM_TITLE,
  PROP_TMUX_SESSION,
  N_PROPS
};

extern GParamSpec *_tether_terminal_page_properties[N_PROPS];

/* tether-terminal-page-shell.c */
gboolean _tether_terminal_page_shell_is_final       (TetherShell        *shell);
void     _tether_terminal_page_update_state         (TetherTerminalPage *self);
void     _tether_terminal_page_update_banner        (TetherTerminalPage *self);
void     _tether_terminal_page_sync_size            (TetherTerminalPage *self);
void     _tether_terminal_page_reset_terminal       (TetherTerminalPage *self);
void     _tether_terminal_page_init_feed            (TetherTerminalPage *self);
void     _tether_terminal_page_flush_feed           (TetherTerminalPage *self);
void     _tether_terminal_page_clear_feed           (TetherTerminalPage *self);
void     _tether_terminal_page_drop_shell           (TetherTerminalPage *self);
void     _tether_terminal_page_open_shell           (TetherTerminalPage *self);
GPtrArray *_tether_terminal_page_session_pages      (TetherHostSession  *session);
void     _tether_terminal_page_on_session_changed   (TetherTerminalPage *self,
                                                     GParamSpec         *pspec);
void     _tether_terminal_page_reconnect_activated  (GtkWidget          *widget,
                                                     const char         *action_name,
                                                     GVariant           *parameter);

/* tether-terminal-page.c */
void     _tether_terminal_page_show_toast           (TetherTerminalPage *self,
                                                     const char         *title);

char    *_tether_terminal_page_dup_save_name        (TetherTerminalPage *self);

G_END_DECLS
