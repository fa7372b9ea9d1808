/* tether-sftp-transfer-job-private.h: one transfer's state, shared by its pipeline
 * (tether-sftp-transfer.c) and its set-up and thread (tether-sftp-transfer-run.c). */
#pragma once

#include "tether-file-util.h"
#include "tether-session-channel.h"
#include "tether-sftp-transfer-private.h"

G_BEGIN_DECLS

/* The farthest a request may reach past the contiguous mark; a resume backs off as much. */
#define TETHER_SFTP_MAX_SPAN ((guint64) 16 * 1024 * 1024)

/* The second lane of a striped upload, on the transfer's thread. */
typedef struct
{
  TetherSessionChannel *channel;
  TetherSftpClient *client;
  GBytes *handle;
  guint in_flight;
  gboolean opening;          /* being set up */
  gboolean flushing;         /* a flush ahead is out (counted in in_flight) */
  gboolean closing;          /* its CLOSE is out */
} TetherSftpLane;

struct _TetherSftpFileJob
{
  /* Set on the caller's context */
  GMainContext *owner;       /* the caller's */
  TetherConnection *connection;
  TetherSessionChannel *channel;
  gboolean upload;
  char *remote;
  char *remote_part;
  char *local;
  char *local_part;
  TetherTransfer *transfer;
  guint open_retries;
  gboolean sudo;             /* the client runs through sudo: no second lane */

  /* On the transfer's thread */
  GMainContext *ctx;
  TetherSftpClient *client;
  GCancellable *cancellable;
  int fd;
  GBytes *handle;
  guint64 total;
  guint64 next_offset;     /* where the next new request starts */
  guint64 eof_offset;      /* download: where the server said EOF (G_MAXUINT64: not yet) */
  guint64 contiguous;      /* everything below is at the destination */
  GTree *completed;        /* offset -> length of finished ranges above contiguous */
  TetherFileFlusher *flusher; /* download: flushes the copy while it is written */
  guint64 flush_asked;     /* the contiguous mark at the last flush asked for */
  gboolean flush_wanted;   /* upload: the second lane drains, then flushes */
  guint window;
  guint chunk;
  guint in_flight;
  gint64 min_rtt;          /* download: the shortest round trip of a full read, in µs */
  gint64 srtt;             /* download: the smoothed round trip of full reads, in µs */
  guint since_shrink;      /* download: full replies since the window last shrank */
  gboolean fsync_pending;
  gboolean fsynced;
  TetherSftpLane stripe;
  gboolean finished;
  GError *error;

  /* One file of a folder transfer: on the tree's client, with its own end. */
  gboolean in_tree;
  guint32 mode;               /* permissions to give the copy; 0: leave them */
  TetherSftpFileJobFunc done_func;
  gpointer done_data;
};

TetherSftpFileJob *_tether_sftp_job_new   (gboolean           upload,
                                          const char        *remote_path,
                                          const char        *local_path,
                                          TetherTransfer    *transfer);
/* Stops issuing requests; the first failure is the one reported. Takes @error. */
void               _tether_sftp_job_fail  (TetherSftpFileJob *job,
                                          GError            *error);
/* Starts the copy on job->client (stat, open, the pipeline). */
void               _tether_sftp_job_begin (TetherSftpFileJob *job);

/* The local .part of a download (tether-sftp-transfer-local.c). Those that can fail fail
 * the job through _tether_sftp_job_fail (). */
GError            *_tether_sftp_job_write_error     (TetherSftpFileJob  *job,
                                                     int                 errsv);
guint64            _tether_sftp_resume_point        (guint64             size);
gboolean           _tether_sftp_job_open_local_part (TetherSftpFileJob  *job,
                                                     GError            **error);
void               _tether_sftp_job_flush_local     (TetherSftpFileJob  *job);
gboolean           _tether_sftp_job_stop_flusher    (TetherSftpFileJob  *job);
void               _tether_sftp_job_keep_partial    (TetherSftpFileJob  *job);
void               _tether_sftp_job_commit_local    (TetherSftpFileJob  *job);

G_END_DECLS
