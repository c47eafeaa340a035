module example.com/app

go 1.19

require example.com/greet v1.4.2

replace example.com/greet v1.4.2 => ../greet
