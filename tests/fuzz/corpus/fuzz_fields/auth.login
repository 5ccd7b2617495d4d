auth.login
{"username":"admin","password":"a-long-password"}