# helper 9999 does not exist
call 9999
exit
