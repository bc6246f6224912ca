"""Disclosure (公示) per compound: public income (公共收益) and the use of the
maintenance fund (维修资金), entry by entry with their receipts, beside the
compound's major matters with their votes and outcome."""
