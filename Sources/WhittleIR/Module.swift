// WhittleIR: see ../shared/DESIGN.md.
