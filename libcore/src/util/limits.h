/* limits.h - the limits on untrusted input (limits.def), in one struct
 * that the importer, the passes, the module loader and both executors
 * take, with the table the API and the CLI expose them through. */
#ifndef RVVNN_LIMITS_H
#define RVVNN_LIMITS_H

#include <stdint.h>

typedef struct rv_limits {
#define X(name, flag, def, min, unit, desc) uint64_t name;
#include "limits.def"
#undef X
} rv_limits;

typedef struct limit_info {
    const char *name;    /* "max_depth": the API key, and the name errors use */
    const char *flag;    /* "--max-depth" */
    uint64_t def, min;
    const char *unit, *desc;
} limit_info;

enum {
#define X(name, flag, def, min, unit, desc) LIMIT_##name,
#include "limits.def"
#undef X
    LIMIT__COUNT
};

extern const limit_info limit_table[LIMIT__COUNT];

void limits_default(rv_limits *l);
/* l, or the defaults when l is NULL. */
const rv_limits *limits_or_default(const rv_limits *l);
/* Index into limit_table of name ("max_depth"), or -1. */
int limits_find(const char *name);
uint64_t *limits_slot(rv_limits *l, int index);

#endif
