/* limits.c - the limits table (limits.def) and its defaults. */
#include "limits.h"

#include <string.h>

const limit_info limit_table[LIMIT__COUNT] = {
#define X(name, flag, def, min, unit, desc) {#name, flag, def, min, unit, desc},
#include "limits.def"
#undef X
};

static const rv_limits defaults = {
#define X(name, flag, def, min, unit, desc) def,
#include "limits.def"
#undef X
};

void limits_default(rv_limits *l) { *l = defaults; }

const rv_limits *limits_or_default(const rv_limits *l) { return l ? l : &defaults; }

int limits_find(const char *name)
{
    for (int i = 0; i < LIMIT__COUNT; i++)
        if (!strcmp(limit_table[i].name, name))
            return i;
    return -1;
}

uint64_t *limits_slot(rv_limits *l, int index)
{
    switch (index) {
#define X(name, flag, def, min, unit, desc) case LIMIT_##name: return &l->name;
#include "limits.def"
#undef X
    default: return NULL;
    }
}
