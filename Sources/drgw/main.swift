print("drgw")
