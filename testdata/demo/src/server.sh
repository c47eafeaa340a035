#!/bin/sh
# shop-api: the demo workload (a stand-in application layer).
exec httpd -f -p 8080 -h /srv/shop-api/www
