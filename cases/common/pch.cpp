// Anchor for the precompiled header shared by all cases.
