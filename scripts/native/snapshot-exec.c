/*
 * clef-agent's native start (issue 20): starts node from the agent's V8 startup snapshot
 * when, and only when, node would accept it, and otherwise starts the plain launcher. Node
 * refuses a snapshot made by another node build or with other V8 flags by exiting (14)
 * before any JavaScript runs, so the choice has to be made before node starts, and the
 * distroless image has no shell to make it in. This program does no more than that: it
 * reads a stamp written when the snapshot was built, compares it with what this start
 * would use, and execs node (no extra process stays around).
 *
 * Layout (scripts/bundle.js with `snapshot.exec`), relative to this program's own path:
 *   <prefix>/bin/clef-agent                  this program
 *   <prefix>/lib/clef-agent/launcher.js      the JavaScript launcher (plain start)
 *   <prefix>/lib/clef-agent/agent.blob       the snapshot
 *   <prefix>/lib/clef-agent/agent.blob.stamp written by scripts/build-snapshot.js:
 *       clef-agent-snapshot 1
 *       node=<absolute path of the node that built and checked the blob>
 *       node_size=<bytes>   node_mtime=<sec>.<nsec>   blob_size=<bytes>
 *       node_options=<NODE_OPTIONS the blob was built with, possibly empty>
 *
 * The snapshot is used when the node binary at that path has the stamped size and mtime,
 * the blob the stamped size, and NODE_OPTIONS is exactly the stamped value (unset counts
 * as empty). Anything else (no stamp, another node, another NODE_OPTIONS) is a plain
 * start, with CLEF_AGENT_SNAPSHOT_SKIPPED=<reason> for the agent to log. A start is never
 * refused here: a mismatch costs milliseconds, not the pod.
 *
 * Everything here is trusted as the agent's code is: same owner, read-only (0755/0644).
 * Arguments are passed through untouched after the launcher; nothing is parsed from them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STAMP_MAX 8192

struct stamp {
  char node[PATH_MAX];
  long long node_size, blob_size;
  long long mtime_sec, mtime_nsec;
  const char *node_options; /* points into the stamp buffer */
};

static char stamp_buf[STAMP_MAX + 1];

/* Parses the stamp; 0 when it is complete and well formed. */
static int parse_stamp(const char *path, struct stamp *st) {
  FILE *f = fopen(path, "re");
  if (!f) return -1;
  size_t n = fread(stamp_buf, 1, STAMP_MAX, f);
  int too_long = !feof(f);
  fclose(f);
  if (too_long) return -1;
  stamp_buf[n] = '\0';
  int seen = 0;
  char *save = NULL;
  char *line = strtok_r(stamp_buf, "\n", &save);
  if (!line || strcmp(line, "clef-agent-snapshot 1") != 0) return -1;
  st->node_options = NULL;
  /* strtok_r skips empty lines, so "node_options=" with an empty value is its own line. */
  while ((line = strtok_r(NULL, "\n", &save))) {
    if (strncmp(line, "node=", 5) == 0 && strlen(line + 5) < sizeof st->node && line[5] == '/') {
      strcpy(st->node, line + 5);
      seen |= 1;
    } else if (sscanf(line, "node_size=%lld", &st->node_size) == 1) {
      seen |= 2;
    } else if (sscanf(line, "node_mtime=%lld.%lld", &st->mtime_sec, &st->mtime_nsec) == 2) {
      seen |= 4;
    } else if (sscanf(line, "blob_size=%lld", &st->blob_size) == 1) {
      seen |= 8;
    } else if (strncmp(line, "node_options=", 13) == 0) {
      st->node_options = line + 13;
      seen |= 16;
    } else {
      return -1;
    }
  }
  return seen == 31 ? 0 : -1;
}

/* Why the snapshot cannot be used, or NULL when it can. */
static const char *mismatch(const char *lib, struct stamp *st) {
  char path[PATH_MAX];
  struct stat sb;
  if (snprintf(path, sizeof path, "%s/agent.blob.stamp", lib) >= (int)sizeof path) return "path-too-long";
  if (parse_stamp(path, st) != 0) {
    st->node[0] = '\0'; /* nothing from a malformed stamp is used */
    return "no-stamp";
  }
  if (stat(st->node, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size != st->node_size ||
      sb.st_mtim.tv_sec != st->mtime_sec || sb.st_mtim.tv_nsec != st->mtime_nsec)
    return "node-changed";
  if (snprintf(path, sizeof path, "%s/agent.blob", lib) >= (int)sizeof path) return "path-too-long";
  if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size != st->blob_size) return "blob-changed";
  const char *options = getenv("NODE_OPTIONS");
  if (strcmp(options ? options : "", st->node_options) != 0) return "node-options";
  return NULL;
}

int main(int argc, char **argv) {
  char self[PATH_MAX], lib[PATH_MAX], launcher[PATH_MAX], blob[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) {
    perror("clef-agent: cannot find its own path (/proc/self/exe)");
    return 127;
  }
  self[len] = '\0';
  char *slash = strrchr(self, '/');
  if (!slash) return 127;
  *slash = '\0'; /* <prefix>/bin */
  if (snprintf(lib, sizeof lib, "%s/../lib/clef-agent", self) >= (int)sizeof lib ||
      snprintf(launcher, sizeof launcher, "%s/launcher.js", lib) >= (int)sizeof launcher ||
      snprintf(blob, sizeof blob, "%s/agent.blob", lib) >= (int)sizeof blob) {
    fputs("clef-agent: install path too long\n", stderr);
    return 127;
  }

  struct stamp st;
  memset(&st, 0, sizeof st);
  const char *why = mismatch(lib, &st);
  /* The stamped node (a well-formed stamp whose checks failed still names the node to run),
   * else the node this program was compiled for. */
  const char *node = st.node[0] == '/' ? st.node : CLEF_AGENT_NODE;
  if (why != NULL && access(node, X_OK) != 0) node = CLEF_AGENT_NODE; /* the stamped node is gone */

  /* node [--snapshot-blob <blob>] <launcher> <args...> NULL */
  char **args = calloc((size_t)argc + 4, sizeof *args);
  if (!args) return 127;
  int i = 0;
  args[i++] = (char *)node;
  if (why == NULL) {
    args[i++] = "--snapshot-blob";
    args[i++] = blob;
    unsetenv("CLEF_AGENT_SNAPSHOT_SKIPPED");
  } else if (setenv("CLEF_AGENT_SNAPSHOT_SKIPPED", why, 1) != 0) {
    return 127;
  }
  args[i++] = launcher;
  for (int a = 1; a < argc; a++) args[i++] = argv[a];
  args[i] = NULL;
  execv(node, args);
  fprintf(stderr, "clef-agent: cannot start %s: %s\n", node, strerror(errno));
  return 127;
}
