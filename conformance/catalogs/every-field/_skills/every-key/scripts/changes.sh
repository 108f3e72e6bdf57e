#!/bin/sh
# Lists the commits since a tag.
git log --oneline "$1..HEAD"
