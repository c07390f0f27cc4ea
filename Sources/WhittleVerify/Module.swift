// WhittleVerify: see ../shared/DESIGN.md.
