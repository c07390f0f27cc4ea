// WhittleCodegen: see ../shared/DESIGN.md.
