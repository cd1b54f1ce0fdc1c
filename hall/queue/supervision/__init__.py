"""督查 (supervision, issue 16): the registers and the assessment a hall manager keeps."""
